/**
 * Prefill chunk sizes: the pure rule (start small, grow to the batch size
 * while a chunk fits the time slice, shrink when one runs long), and on a real
 * context the batches prefill actually sends.
 */
import { getLlama, type Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { PrefillChunks } from "../../src/engine/prefill-chunks.js";
import { prefillPrompt } from "../../src/engine/prefill-prompt.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

describe("PrefillChunks", () => {
  it("starts at the smallest chunk", () => {
    expect(new PrefillChunks({ min: 128, max: 512, sliceMs: 1000 }).size()).toBe(128);
  });

  it("grows to what fits the slice, in steps, up to the batch size", () => {
    const chunks = new PrefillChunks({ min: 128, max: 512, sliceMs: 1000 });
    chunks.record(128, 400); // 3.125 ms a token: 320 fit, stepped down to 320
    expect(chunks.size()).toBe(320);
    chunks.record(320, 100); // fast: as much as the batch holds
    expect(chunks.size()).toBe(512);
  });

  it("shrinks when a chunk runs long, never below the smallest", () => {
    const chunks = new PrefillChunks({ min: 128, max: 512, sliceMs: 1000 });
    chunks.record(128, 10);
    expect(chunks.size()).toBe(512);
    chunks.record(512, 2000); // 3.9 ms a token: 256 fit
    expect(chunks.size()).toBe(256);
    chunks.record(256, 60_000);
    expect(chunks.size()).toBe(128);
  });

  it("ignores readings that say nothing, and a batch smaller than the smallest chunk wins", () => {
    const chunks = new PrefillChunks({ min: 128, max: 512, sliceMs: 1000 });
    chunks.record(0, 50);
    chunks.record(10, Number.NaN);
    expect(chunks.size()).toBe(128);
    chunks.record(10, 0);
    expect(chunks.size()).toBe(512);
    expect(new PrefillChunks({ min: 128, max: 64, sliceMs: 1000 }).size()).toBe(64);
  });

  it("rejects settings that cannot work", () => {
    expect(() => new PrefillChunks({ min: 0, max: 512, sliceMs: 1000 })).toThrow(/min must be a whole number ≥ 1, got 0/);
    expect(() => new PrefillChunks({ min: 128, max: 512, sliceMs: 0 })).toThrow(/sliceMs must be > 0/);
    expect(() => new PrefillChunks({ min: 128, max: 512, sliceMs: 10, step: 0 })).toThrow(/step must be/);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("prefill chunks on a real context"), () => {
  it("sends growing batches when chunks are fast, and fixed small ones when the slice is tiny", async () => {
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1 });
    try {
      const model = await llama.loadModel({ modelPath: testModelPath });
      const context = await model.createContext({ contextSize: 512, sequences: 1, threads: 1, batchSize: 256 });
      const native = (context as unknown as { _ctx: { initBatch(size: number): void } })._ctx;
      const initBatch = Object.getPrototypeOf(native).initBatch as (size: number) => void;
      const batches: number[] = [];
      Object.defineProperty(native, "initBatch", { configurable: true, value: (size: number) => (batches.push(size), initBatch.call(native, size)) });
      const sequence = context.getSequence();
      const prompt = model.tokenize("Once upon a time, there was a little girl who liked to play. ".repeat(30)).slice(0, 400) as Token[];
      expect(prompt.length).toBe(400);

      // stories260K evaluates 32 tokens in milliseconds: the next chunk is a full batch.
      await prefillPrompt(sequence, prompt, { chunks: new PrefillChunks({ min: 32, max: context.batchSize, sliceMs: 10_000 }), reusablePrefix: 0 });
      expect(batches).toEqual([32, 256, 399 - 32 - 256]);
      expect(sequence.contextTokens).toEqual(prompt.slice(0, -1));

      // A slice no chunk can fit keeps every chunk at the smallest size.
      await sequence.clearHistory();
      batches.length = 0;
      await prefillPrompt(sequence, prompt, { chunks: new PrefillChunks({ min: 100, max: context.batchSize, sliceMs: 1e-6 }), reusablePrefix: 0 });
      expect(batches).toEqual([100, 100, 100, 99]);
      await context.dispose();
    } finally {
      await llama.dispose();
    }
  });
});
