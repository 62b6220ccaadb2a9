/**
 * `threads: "auto"` on the real engine: the bounded sweep measures the
 * halving candidates (2, 1 on two cores) within its budget, the engine
 * decodes with the fastest and prefills on every core; given counts are used
 * as they are, without a sweep.
 */
import { describe, expect, it } from "vitest";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

describe.skipIf(!testModelExists)(modelSuiteTitle("thread count auto-tune (real engine)"), () => {
  it("measures the candidates within the budget, decodes with the fastest and prefills on every core", async () => {
    const engine = await startLlamaEngine({ modelPath: testModelPath, threads: "auto", maxThreads: 2, threadsBudgetMs: 1500, gpu: false, contextSize: 256, parallel: 1, maxQueue: 0 });
    try {
      const sweep = engine.info.threadSweep ?? [];
      expect(sweep.map((trial) => trial.threads)).toEqual([2, 1]);
      for (const trial of sweep) expect(trial.tokensPerSecond).toBeGreaterThan(0);
      const fastest = Math.max(...sweep.map((trial) => trial.tokensPerSecond));
      const chosen = sweep.find((trial) => trial.threads === engine.info.threads)!;
      // The chosen count is within the 5 % tie margin of the fastest.
      expect(chosen.tokensPerSecond * 1.05).toBeGreaterThanOrEqual(fastest);
      expect(engine.info.batchThreads).toBe(2);
      expect(engine.info.threadChoice).toMatch(/prefill: all 2 physical cores; decode: measured \(2, 1\) in \d+\.\d s/);
    } finally {
      await engine.dispose();
    }
  });

  it("does not sweep when a thread count is given, and takes a separate prefill count", async () => {
    const engine = await startLlamaEngine({ modelPath: testModelPath, threads: 1, batchThreads: 2, gpu: false, contextSize: 256, parallel: 1, maxQueue: 0 });
    try {
      expect(engine.info.threads).toBe(1);
      expect(engine.info.batchThreads).toBe(2);
      expect(engine.info.threadSweep).toEqual([]);
    } finally {
      await engine.dispose();
    }
  });
});
