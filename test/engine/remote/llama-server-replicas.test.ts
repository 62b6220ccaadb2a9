/**
 * The remote engine in front of three real llama-server replicas on loopback
 * (the peer build, one thread each, on stories260K): each exemplar set's
 * requests stay on one replica, so the upstream reports its prefix as cached
 * even when the sets' requests are interleaved; a killed replica's traffic
 * fails over with no 5xx for requests that had not started; and the replica,
 * started again on its address, passes its health check and takes its sets
 * back. Skipped, visibly, without the peer or the model.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { Engine, UpstreamReplicaStatus } from "../../../src/engine/engine.js";
import { startRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { createApp } from "../../../src/server/app.js";
import { peerDir, peerExists, startPeers, type LlamaServerPeer } from "../../support/llama-server-peer.js";
import { testModelExists, testModelPath } from "../../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const sets = ["tiny", "tiny-two", "tiny-three"];
const subjects = ["a cat", "a dog", "the sea", "a tree", "a boat", "the moon", "a bird", "a ball"];

function title(): string {
  const name = "the remote engine in front of three real llama-server replicas";
  const missing = !peerExists ? `no llama-server at ${peerDir} (set URIAL_LLAMA_SERVER_DIR)` : !testModelExists ? `no test model at ${testModelPath}` : undefined;
  if (missing === undefined) return name;
  console.warn(`[skipped] ${name}: ${missing}`);
  return `${name} — SKIPPED: ${missing}`;
}

interface ChatBody {
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
}

describe.skipIf(!peerExists || !testModelExists)(title(), () => {
  let peers: LlamaServerPeer[];
  let stopPeers: () => Promise<void>;
  let engine: Engine;
  let app: Hono;
  let catalogDir: string;
  const notices: string[] = [];
  /** The replica (index) each set went to in the first test. */
  const home = new Map<string, number>();

  beforeAll(async () => {
    // Three sets with three different prefixes: the fixtures plus one more.
    catalogDir = mkdtempSync(join(tmpdir(), "urial-replicas-"));
    cpSync(fixtures("exemplars"), join(catalogDir, "exemplars"), { recursive: true });
    writeFileSync(
      join(catalogDir, "exemplars", "tiny-three.json"),
      JSON.stringify({
        name: "tiny-three",
        version: "1.0.0",
        description: "A third small set, so three prefixes share three replicas.",
        systemPrompt: "tiny",
        exemplars: [{ id: "fish", query: "Tell me about a fish.", answer: "Sure! A little fish named Sam swam in the blue sea all day. The end." }],
      }),
    );
    const catalog = await loadCatalog({ exemplarsDir: join(catalogDir, "exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
    // Three slots each: a replica that gets two or three sets still keeps every prefix.
    ({ peers, stop: stopPeers } = await startPeers(3, { modelPath: testModelPath, slots: 3, slotContext: 512 }));
    engine = await startRemoteEngine({
      url: peers.map((peer) => `${peer.url}/v1`),
      parallel: 2,
      maxQueue: 16,
      timeoutMs: 20_000,
      // Long enough that the failover below meets the dead replica before a health check does.
      healthIntervalMs: 1000,
      onNotice: (line) => notices.push(line),
    });
    app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024 });
  }, 60_000);

  afterAll(async () => {
    await engine?.dispose();
    await stopPeers?.();
    if (catalogDir) rmSync(catalogDir, { recursive: true, force: true });
  });

  const replicas = (): UpstreamReplicaStatus[] => engine.status().upstreams!;
  const sent = (replica: UpstreamReplicaStatus) => Object.values(replica.requests).reduce((sum, count) => sum + count, 0);

  /** One chat request of `set`; which replica served it (by the counts), its status and usage. */
  async function ask(set: string, subject: string): Promise<{ status: number; replica: number; body: ChatBody }> {
    const before = replicas().map((replica) => sent(replica) - replica.errors);
    const response = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: `urial/${set}`, messages: [{ role: "user", content: `Tell me about ${subject}.` }], max_tokens: 4, temperature: 0 }),
    });
    const body = (await response.json()) as ChatBody;
    // The replica that answered: its requests went up and its errors did not (a failover raises both on the one it left).
    const answered = replicas().map((replica, index) => sent(replica) - replica.errors - before[index]!);
    return { status: response.status, replica: answered.findIndex((count) => count > 0), body };
  }

  it("keeps each set on one replica, so its prefix stays cached under interleaved sets", async () => {
    const cachedShares: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const set of sets) {
        const { status, replica, body } = await ask(set, subjects[round]!);
        expect(status).toBe(200);
        if (round === 0) home.set(set, replica);
        else {
          expect(replica, `${set} in round ${round}`).toBe(home.get(set));
          cachedShares.push((body.usage.prompt_tokens_details?.cached_tokens ?? 0) / body.usage.prompt_tokens);
        }
      }
    }
    // After each set's first request, the upstream serves its prefix from cache: most of each prompt.
    console.log(`[replicas] sets → replica ${JSON.stringify(Object.fromEntries(home))}; cached share after the first request of a set: min ${Math.min(...cachedShares).toFixed(2)}`);
    for (const share of cachedShares) expect(share).toBeGreaterThan(0.6);
    const status = replicas();
    expect(status.every((replica) => replica.state === "up")).toBe(true);
    expect(status.reduce((sum, replica) => sum + replica.requests.affinity, 0)).toBe(12);
    expect(status.reduce((sum, replica) => sum + replica.cachedTokens, 0)).toBeGreaterThan(0);
    // The metrics say the same, per replica.
    const metrics = await (await app.request("/metrics")).text();
    for (const peer of peers) expect(metrics).toContain(`urial_upstream_up{upstream="${peer.url}/v1"} 1`);
    expect(metrics).toMatch(/urial_upstream_cached_tokens_total\{upstream="[^"]+"\} [1-9]/);
  });

  it("fails a killed replica's requests over to another, with no 5xx, and keeps serving", async () => {
    const set = sets[0]!;
    const victim = home.get(set)!;
    await peers[victim]!.kill();
    // Requests of the set whose replica just died, before any health check noticed: one by one, they
    // all go to the set's second choice; at once, more than its --parallel spill to the third.
    const sequential = [await ask(set, "a hat"), await ask(set, "a sock")];
    expect(sequential[0]!.replica).not.toBe(victim);
    expect(sequential[1]!.replica).toBe(sequential[0]!.replica);
    const answeredByVictim = () => sent(replicas()[victim]!) - replicas()[victim]!.errors;
    const victimBefore = answeredByVictim();
    const concurrent = await Promise.all(subjects.slice(0, 4).map((subject) => ask(set, subject)));
    for (const result of [...sequential, ...concurrent]) expect(result.status).toBe(200);
    expect(answeredByVictim()).toBe(victimBefore);
    await expect.poll(() => replicas()[victim]!.state, { timeout: 10_000 }).toBe("down");
    const dead = replicas()[victim]!;
    expect(dead.failedOver).toBeGreaterThanOrEqual(1);
    expect(replicas().reduce((sum, replica) => sum + replica.tookOver, 0)).toBe(dead.failedOver);
    // Two replicas are up: the server is healthy and says which one is not.
    const health = (await (await app.request("/health")).json()) as { status: string; upstreams: { state: string; reason: string | null }[] };
    expect(health.status).toBe("ok");
    expect(health.upstreams[victim]).toMatchObject({ state: "down", reason: expect.stringContaining("ECONNREFUSED") });
    // The other sets were not disturbed.
    for (const other of sets.slice(1)) {
      if (home.get(other) === victim) continue;
      const result = await ask(other, "a cup");
      expect(result.replica).toBe(home.get(other));
    }
  });

  it("takes a replica back when it comes back on its address, and sends its sets home", async () => {
    const set = sets[0]!;
    const victim = home.get(set)!;
    await peers[victim]!.start();
    await expect.poll(() => replicas()[victim]!.state, { timeout: 20_000, interval: 100 }).toBe("up");
    expect(notices.some((line) => line.includes(`${peers[victim]!.url}/v1 is up again`))).toBe(true);
    const first = await ask(set, "a kite");
    expect(first).toMatchObject({ status: 200, replica: victim });
    const second = await ask(set, "a cake");
    expect(second.replica).toBe(victim);
    expect((second.body.usage.prompt_tokens_details?.cached_tokens ?? 0) / second.body.usage.prompt_tokens).toBeGreaterThan(0.6);
  });
});
