/**
 * Prefix states that survive restarts, on the real engine: a restored prefix
 * gives byte-identical greedy output to a cold prefill, bad files are ignored
 * and deleted, the folder stays within its bound, and interleaved traffic over
 * two sets keeps both prefixes warm.
 */
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Engine, GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { PrefixStateStore } from "../../src/engine/prefix-state-store.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

const exemplars = [
  { query: "Tell me about a cat.", answer: "Sure! Once upon a time, there was a cat named Tom. Tom liked to play. The end." },
  { query: "Tell me about a dog.", answer: "Sure! Once upon a time, there was a dog named Max. He liked to run. The end." },
];

function render(system: string, query: string) {
  return renderUrialPrompt({ system, exemplars, history: [], query });
}

interface Outcome {
  text: string;
  cached: number;
  restored: number;
}

async function answer(engine: Engine, system: string, query: string): Promise<Outcome> {
  const rendered = render(system, query);
  const prompt = engine.tokenize(rendered.text);
  const prefixTokens = engine.tokenize(rendered.text.slice(0, rendered.prefixLength));
  let reusablePrefix = 0;
  while (reusablePrefix < prefixTokens.length && prefixTokens[reusablePrefix] === prompt[reusablePrefix]) reusablePrefix += 1;
  const slot = await engine.acquire(prompt);
  const outcome: Outcome = { text: "", cached: 0, restored: 0 };
  try {
    for await (const event of slot.generate(prompt, { maxTokens: 24, sampling: greedy, reusablePrefix }) as AsyncIterable<GenerationEvent>) {
      if (event.type === "prefilled") {
        outcome.cached = event.cachedTokens;
        outcome.restored = event.restoredTokens ?? 0;
      } else if (event.type === "token") outcome.text += event.token.text;
    }
  } finally {
    slot.release();
  }
  return outcome;
}

const engines: Engine[] = [];
async function start(dir: string | undefined, parallel = 1, maxBytes = 64 * 1024 * 1024): Promise<Engine> {
  const engine = await startLlamaEngine({
    modelPath: testModelPath,
    ...testEngineSettings,
    parallel,
    maxQueue: 4,
    prefixStates: dir === undefined ? undefined : { dir, maxBytes },
  });
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.dispose();
});

const system = "A kind helper answers with a short story.";
const stateFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".state"));

describe.skipIf(!testModelExists)(modelSuiteTitle("prefix states across restarts (real engine)"), () => {
  it("restores a saved prefix after a restart and answers byte for byte as a cold prefill does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-"));
    const cold = await answer(await start(undefined), system, "Tell me about a frog.");

    const first = await answer(await start(dir), system, "Tell me about a frog.");
    expect(first.restored).toBe(0);
    expect(stateFiles(dir)).toHaveLength(1);
    expect(first.text).toBe(cold.text);

    // A fresh engine (a restart): the prefix comes from the file, not from evaluation.
    const restarted = await answer(await start(dir), system, "Tell me about a frog.");
    const prefixLength = render(system, "x").prefixLength;
    expect(restarted.restored).toBeGreaterThan(0);
    expect(restarted.cached).toBe(restarted.restored);
    expect(restarted.restored).toBeGreaterThanOrEqual((await start(undefined)).tokenize(render(system, "x").text.slice(0, prefixLength)).length - 1);
    expect(restarted.text).toBe(cold.text);
  });

  it("ignores and deletes a corrupt state file, then answers correctly from a cold prefill", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-"));
    const good = await answer(await start(dir), system, "Tell me about a bird.");
    const [file] = stateFiles(dir);
    const bytes = readFileSync(join(dir, file!));
    bytes.fill(7, 64, Math.min(bytes.length, 4096));
    writeFileSync(join(dir, file!), bytes);

    const after = await answer(await start(dir), system, "Tell me about a bird.");
    expect(after.restored).toBe(0);
    expect(after.text).toBe(good.text);
    // The bad file was deleted, and the prefix was saved anew from the cold prefill.
    expect(stateFiles(dir)).toHaveLength(1);
    expect(readFileSync(join(dir, stateFiles(dir)[0]!)).equals(bytes)).toBe(false);
  });

  it("does not load a state saved for other context parameters", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-"));
    await answer(await start(dir, 1), system, "Tell me about a tree.");
    expect(stateFiles(dir)).toHaveLength(1);
    // Two sequences per context: another namespace, so another key; the old file is never tried.
    const other = await answer(await start(dir, 2), system, "Tell me about a tree.");
    expect(other.restored).toBe(0);
    expect(stateFiles(dir)).toHaveLength(2);
  });

  it("ignores a state whose record does not match the prefix it claims", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-"));
    await answer(await start(dir), system, "Tell me about a fish.");
    const sidecar = readdirSync(dir).find((name) => name.endsWith(".json"))!;
    const record = JSON.parse(readFileSync(join(dir, sidecar), "utf8")) as { tokenCount: number };
    writeFileSync(join(dir, sidecar), JSON.stringify({ ...record, tokenCount: record.tokenCount + 1 }));
    const after = await answer(await start(dir), system, "Tell me about a fish.");
    expect(after.restored).toBe(0);
  });

  it("keeps two sets warm under interleaved traffic on two sequences", async () => {
    const engine = await start(undefined, 2);
    const systems = ["A kind helper answers with a short story.", "A cheerful friend replies with a tiny tale."];
    const prefixTokens = systems.map((text) => engine.tokenize(render(text, "x").text.slice(0, render(text, "x").prefixLength)).length);
    const cached: number[][] = [[], []];
    for (let round = 0; round < 4; round += 1) {
      for (const index of [0, 1]) cached[index]!.push((await answer(engine, systems[index]!, `Tell me about friend number ${round}.`)).cached);
    }
    for (const index of [0, 1]) {
      expect(cached[index]![0]).toBeLessThan(prefixTokens[index]! / 2);
      // Every later request of the set found its prefix still in the cache.
      for (const value of cached[index]!.slice(1)) expect(value).toBeGreaterThanOrEqual(prefixTokens[index]! - 1);
    }
  });
});

describe("prefix state store bound", () => {
  it("evicts the least recently used states past maxBytes and indexes files already on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-store-"));
    const store = await PrefixStateStore.open({ dir, maxBytes: 2500, namespace: "n" });
    const write = (size: number) => async (path: string) => writeFileSync(path, Buffer.alloc(size, 1));
    for (const tokens of [[1], [2], [3]]) await store.save(store.keyFor(tokens), tokens, write(1000));
    expect(store.has(store.keyFor([1]))).toBe(false);
    expect(store.has(store.keyFor([2]))).toBe(true);
    expect(store.has(store.keyFor([3]))).toBe(true);
    expect(store.totalBytes).toBe(2000);
    const reopened = await PrefixStateStore.open({ dir, maxBytes: 2500, namespace: "n" });
    expect(reopened.totalBytes).toBe(2000);
    expect(reopened.has(store.keyFor([3]))).toBe(true);
  });

  it("keys states by namespace and exact tokens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-store-"));
    const a = await PrefixStateStore.open({ dir, maxBytes: 1e6, namespace: "model-a" });
    const b = await PrefixStateStore.open({ dir, maxBytes: 1e6, namespace: "model-b" });
    expect(a.keyFor([1, 2, 3])).not.toBe(b.keyFor([1, 2, 3]));
    expect(a.keyFor([1, 2, 3])).not.toBe(a.keyFor([1, 2, 4]));
    expect(a.keyFor([1, 2, 3])).toBe(a.keyFor([1, 2, 3]));
  });

  it("reports a failed save without throwing and leaves no partial file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-prefix-store-"));
    const notes: string[] = [];
    const store = await PrefixStateStore.open({ dir, maxBytes: 1e6, namespace: "n", onLog: (note) => notes.push(note) });
    const saved = await store.save(store.keyFor([1]), [1], async () => {
      throw new Error("disk full");
    });
    expect(saved).toBe(false);
    expect(notes.join("\n")).toContain("disk full");
    expect(readdirSync(dir)).toEqual([]);
  });
});
