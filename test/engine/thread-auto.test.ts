/**
 * `threads: "auto"` on the real engine: every candidate is measured, and the
 * engine runs with the fastest (fewer threads win near-ties).
 */
import { describe, expect, it } from "vitest";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

describe.skipIf(!testModelExists)(modelSuiteTitle("thread count auto-tune (real engine)"), () => {
  it("measures 1..maxThreads and runs with the fastest", async () => {
    const engine = await startLlamaEngine({ modelPath: testModelPath, threads: "auto", maxThreads: 2, gpu: false, contextSize: 256, parallel: 1, maxQueue: 0 });
    try {
      const sweep = engine.info.threadSweep ?? [];
      expect(sweep.map((trial) => trial.threads)).toEqual([1, 2]);
      for (const trial of sweep) expect(trial.tokensPerSecond).toBeGreaterThan(0);
      const fastest = Math.max(...sweep.map((trial) => trial.tokensPerSecond));
      const chosen = sweep.find((trial) => trial.threads === engine.info.threads)!;
      // The chosen count is within the 2 % tie margin of the fastest.
      expect(chosen.tokensPerSecond * 1.02).toBeGreaterThanOrEqual(fastest);
    } finally {
      await engine.dispose();
    }
  });

  it("does not sweep when a thread count is given", async () => {
    const engine = await startLlamaEngine({ modelPath: testModelPath, threads: 1, gpu: false, contextSize: 256, parallel: 1, maxQueue: 0 });
    try {
      expect(engine.info.threads).toBe(1);
      expect(engine.info.threadSweep).toEqual([]);
    } finally {
      await engine.dispose();
    }
  });
});
