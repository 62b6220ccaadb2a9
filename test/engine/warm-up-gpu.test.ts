/**
 * The GPU warm-up: which batch shapes it runs (pure), and the run itself on a
 * real context — on the CPU here, where the engine never calls it, to show it
 * evaluates exactly those batches and leaves every sequence empty.
 */
import { getLlama, type Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { warmUpGpu, warmUpPlan } from "../../src/engine/warm-up-gpu.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

describe("warmUpPlan", () => {
  it("runs every prefill chunk size (largest first), a short partial one, then decode widths 1 … min(parallel, 8)", () => {
    expect(warmUpPlan({ prefillChunks: [128, 512], parallel: 8 }, 4096)).toEqual({ prefill: [512, 128, 17], decodeWidths: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(warmUpPlan({ prefillChunks: [128, 512], parallel: 32 }, 4096).decodeWidths).toHaveLength(8);
    expect(warmUpPlan({ prefillChunks: [512, 512], parallel: 1 }, 4096)).toEqual({ prefill: [512, 17], decodeWidths: [1] });
  });

  it("stays inside a small context and never plans an empty batch", () => {
    expect(warmUpPlan({ prefillChunks: [128, 64], parallel: 2 }, 64)).toEqual({ prefill: [62, 17], decodeWidths: [1, 2] });
    expect(warmUpPlan({ prefillChunks: [1], parallel: 1 }, 4096)).toEqual({ prefill: [1], decodeWidths: [1] });
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("GPU warm-up on a real context"), () => {
  it("evaluates the planned batches and leaves every sequence empty", async () => {
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1 });
    try {
      const model = await llama.loadModel({ modelPath: testModelPath });
      const context = await model.createContext({ contextSize: 512, sequences: 3, threads: 1 });
      const native = (context as unknown as { _ctx: { initBatch(size: number): void } })._ctx;
      const initBatch = Object.getPrototypeOf(native).initBatch as (size: number) => void;
      const batches: number[] = [];
      Object.defineProperty(native, "initBatch", { configurable: true, value: (size: number) => (batches.push(size), initBatch.call(native, size)) });
      const sequences = [context.getSequence(), context.getSequence(), context.getSequence()];
      const ms = await warmUpGpu(context, sequences, { prefillChunks: [64, 128], parallel: 3, token: model.tokens.bos as Token });
      expect(ms).toBeGreaterThan(0);
      expect(batches).toEqual([128, 64, 17, 1, 2, 3]);
      expect(sequences.map((sequence) => sequence.contextTokens.length)).toEqual([0, 0, 0]);
      await context.dispose();
      await model.dispose();
    } finally {
      await llama.dispose();
    }
  }, 30_000);

  it("is not run by an engine on the CPU (here also with flash attention off, as --flash-attention off asks)", async () => {
    const engine = await startLlamaEngine({ ...testEngineSettings, modelPath: testModelPath, parallel: 2, maxQueue: 0, flashAttention: false });
    try {
      expect(engine.info.gpu).toBe(false);
      expect(engine.info.warmUpMs).toBeUndefined();
      expect(engine.info.flashAttention).toBe(false);
      const prompt = engine.tokenize("Once upon a time");
      const slot = await engine.acquire(prompt);
      let tokens = 0;
      try {
        for await (const event of slot.generate(prompt, { maxTokens: 4, sampling: greedy })) if (event.type === "token") tokens += 1;
      } finally {
        slot.release();
      }
      expect(tokens).toBeGreaterThan(0);
    } finally {
      await engine.dispose();
    }
  }, 30_000);
});
