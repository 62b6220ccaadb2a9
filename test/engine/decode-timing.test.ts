/**
 * Decode timing: the time of each generated token split into waiting for it
 * (below the engine's generator) and the consumer's share (from handing it
 * on to asking for the next), on fake pulls with fake timers; and the real
 * engine's counters as `/health`-independent status, summed over answers.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DecodeTiming } from "../../src/engine/decode-timing.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

describe("DecodeTiming (fake pulls)", () => {
  afterEach(() => vi.useRealTimers());

  it("counts waiting for a token and the consumer's time between tokens separately", async () => {
    vi.useFakeTimers();
    const timing = new DecodeTiming();
    let left = 2;
    const next = timing.meter(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // 5 ms to get each token
      left -= 1;
      return { done: left < 0 };
    });
    const consume = async () => {
      const pending = next();
      await vi.advanceTimersByTimeAsync(5);
      return pending;
    };
    expect((await consume()).done).toBe(false);
    await vi.advanceTimersByTimeAsync(3); // the consumer takes 3 ms
    expect((await consume()).done).toBe(false);
    await vi.advanceTimersByTimeAsync(3);
    expect((await consume()).done).toBe(true); // the end: waited for, but not a token
    const stats = timing.stats();
    expect(stats.tokens).toBe(2);
    expect(stats.tokenWaitSeconds).toBeCloseTo(0.015, 3);
    expect(stats.consumerSeconds).toBeCloseTo(0.006, 3);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("decode timing on the real engine"), () => {
  it("sums the tokens of every answer in the engine's status", async () => {
    const engine = await startLlamaEngine({ ...testEngineSettings, modelPath: testModelPath, parallel: 2, maxQueue: 0 });
    try {
      expect(engine.status().decode).toEqual({ tokens: 0, tokenWaitSeconds: 0, consumerSeconds: 0, rounds: 0, expiredRounds: 0 });
      let generated = 0;
      await Promise.all(
        ["Once upon a time", "The little dog"].map(async (text) => {
          const prompt = engine.tokenize(text);
          const slot = await engine.acquire(prompt);
          try {
            for await (const event of slot.generate(prompt, { maxTokens: 6, sampling: greedy })) if (event.type === "token" && event.token.id >= 0) generated += 1;
          } finally {
            slot.release();
          }
        }),
      );
      const decode = engine.status().decode!;
      expect(decode.tokens).toBe(generated);
      expect(decode.tokenWaitSeconds).toBeGreaterThan(0);
      expect(decode.rounds).toBeGreaterThan(0);
      expect(decode.expiredRounds).toBe(0);
    } finally {
      await engine.dispose();
    }
  }, 30_000);
});
