/**
 * Robustness: 1,000 streaming clients that hang up — most mid-stream, some
 * while still queued — against the real engine over loopback. Afterwards
 * `/metrics` must show no busy sequence, no queued request and nothing in
 * flight, and a normal request is served as before. Prints the figures.
 * Skipped, visibly, without the test model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelSuiteTitle, testModelExists } from "../support/test-model.js";
import { heapMiB, median, printFigures, robustnessKey, startRobustnessServer, type RobustnessServer } from "./support/robustness-server.js";

const clients = 1000;
const batch = 50;

type Fate = "mid-stream" | "before the first chunk" | "finished first" | "refused" | "crash";

/** Opens a stream and hangs up: after `chunks` data events, or after `waitMs` without reading. */
async function hangUp(server: RobustnessServer, index: number): Promise<Fate> {
  const controller = new AbortController();
  const raw = index % 2 === 0;
  const plan = index % 10 === 9 ? { waitMs: 1 + (index % 7) } : { chunks: 1 + (index % 4) };
  try {
    const pending = fetch(`${server.url}${raw ? "/v1/completions" : "/v1/chat/completions"}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${robustnessKey}` },
      body: JSON.stringify(
        raw
          ? { model: "base", prompt: `Once upon a time, dog ${index}`, max_tokens: 300, temperature: 0.8, seed: index, stream: true }
          : { model: "urial", messages: [{ role: "user", content: `Tell me a long story about dog ${index}.` }], max_tokens: 300, temperature: 0.8, seed: index, stream: true },
      ),
      signal: controller.signal,
    });
    if ("waitMs" in plan) {
      // Leave while queued or while prefilling: no byte of the answer read.
      await new Promise((resolve) => setTimeout(resolve, plan.waitMs));
      controller.abort();
      await pending.then((response) => response.body?.cancel()).catch(() => undefined);
      return "before the first chunk";
    }
    const response = await pending;
    if (response.status !== 200) {
      await response.text();
      return "refused";
    }
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let events = 0;
    while (events < plan.chunks) {
      const { done, value } = await reader.read();
      if (done) return "finished first";
      text += decoder.decode(value, { stream: true });
      events = text.split("\n\n").length - 1;
      if (text.includes("data: [DONE]")) return "finished first";
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    return "mid-stream";
  } catch (error) {
    if (controller.signal.aborted) return "before the first chunk";
    return "crash";
  }
}

async function normalRequest(server: RobustnessServer): Promise<{ ms: number; content: string }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${robustnessKey}` },
    body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a dog." }], temperature: 0, max_tokens: 24 }),
  });
  expect(response.status).toBe(200);
  const content = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  return { ms: Math.round(performance.now() - started), content };
}

describe.skipIf(!testModelExists)(modelSuiteTitle("robustness: 1,000 clients that disconnect mid-stream (real engine, loopback)"), () => {
  let server: RobustnessServer;

  beforeAll(async () => {
    server = await startRobustnessServer({ parallel: 2, maxQueue: 64 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("leaks no sequence, queue place or request, and serves the next request as before", async () => {
    const before = [await normalRequest(server), await normalRequest(server), await normalRequest(server)];
    const heapBefore = heapMiB();
    const fates: Record<Fate, number> = { "mid-stream": 0, "before the first chunk": 0, "finished first": 0, refused: 0, crash: 0 };
    const started = performance.now();
    for (let first = 0; first < clients; first += batch) {
      const results = await Promise.all(Array.from({ length: Math.min(batch, clients - first) }, (_, offset) => hangUp(server, first + offset)));
      for (const fate of results) fates[fate] += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    // The server notices each hang-up by itself; give it a bounded moment.
    let metrics = await server.scrape();
    for (let attempt = 0; attempt < 100 && ((metrics.value("urial_busy_sequences") ?? 0) > 0 || (metrics.value("urial_in_flight_requests") ?? 0) > 1); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await server.scrape();
    }
    const leaks = {
      busy_sequences: metrics.value("urial_busy_sequences"),
      queue_depth: metrics.value("urial_queue_depth"),
      in_flight_besides_the_scrape: (metrics.value("urial_in_flight_requests") ?? 0) - 1,
    };
    // Tokens generated for the hung-up clients (the normal requests before are in it too).
    const generated = metrics.value("urial_completion_tokens_total") ?? 0;
    const after = [await normalRequest(server), await normalRequest(server), await normalRequest(server)];
    printFigures(`${clients} clients that hang up (--parallel 2, --max-queue 64, batches of ${batch})`, {
      "clients tried": clients,
      "time (s)": seconds.toFixed(1),
      "hung up mid-stream": fates["mid-stream"],
      "hung up before the first chunk (queued or prefilling)": fates["before the first chunk"],
      "stream finished before the hang-up": fates["finished first"],
      refused: fates.refused,
      crashes: fates.crash,
      "server errors reported": server.serverErrors.length,
      "leaked (from /metrics)": leaks,
      "tokens generated (of at most 300 per client)": `${generated} (${((generated / (clients * 300)) * 100).toFixed(1)} %)`,
      "JS heap before → after (MiB)": `${heapBefore} → ${heapMiB()}`,
      "normal request before (ms)": before.map((run) => run.ms),
      "normal request after (ms)": after.map((run) => run.ms),
      "median before → after (ms)": `${median(before.map((run) => run.ms))} → ${median(after.map((run) => run.ms))}`,
    });

    expect(fates.crash).toBe(0);
    expect(fates.refused).toBe(0);
    expect(fates["mid-stream"]).toBeGreaterThanOrEqual(700);
    expect(server.serverErrors).toEqual([]);
    expect(leaks).toEqual({ busy_sequences: 0, queue_depth: 0, in_flight_besides_the_scrape: 0 });
    // Generation stopped when its client left: far fewer tokens than the 300 each asked for.
    expect(generated).toBeLessThan(clients * 300 * 0.25);
    expect(server.engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
    expect(after.map((run) => run.content)).toEqual(before.map((run) => run.content));
  });
});
