/**
 * Decode rounds: sequences that decode at once stay in step, so each decode
 * batch holds one token of every one of them. The rules on fake pulls first
 * (who waits for whom, failures, the hold limit), then on the real engine:
 * three concurrent answers decode in batches of three, counted at the
 * native batch call, where without the rounds the batches fell apart.
 */
import { LlamaModel, type LlamaContext } from "node-llama-cpp";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DecodeRounds } from "../../src/engine/decode-rounds.js";
import type { GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

/** A pull whose token arrives when the test says so. */
function pending<T>(value: T) {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((done, fail) => {
    resolve = () => done(value);
    reject = fail;
  });
  return { pull: () => promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("DecodeRounds (fake pulls)", () => {
  afterEach(() => vi.useRealTimers());

  it("hands out no token of a round until every sequence computing one has its own", async () => {
    const rounds = new DecodeRounds();
    const [a, b, c] = [pending("a"), pending("b"), pending("c")];
    const got: string[] = [];
    const steps = [a, b, c].map((each) => rounds.step(each.pull).then((token) => got.push(token)));
    expect(rounds.computing).toBe(3);
    a.resolve();
    c.resolve();
    await settle();
    expect(got).toEqual([]);
    expect(rounds.holding).toBe(2);
    b.resolve();
    await Promise.all(steps);
    expect(got.sort()).toEqual(["a", "b", "c"]);
    expect(rounds.computing).toBe(0);
    expect(rounds.holding).toBe(0);
  });

  it("does not wait for a sequence that is not computing a token (its consumer is slow)", async () => {
    const rounds = new DecodeRounds();
    expect(await rounds.step(() => Promise.resolve(1))).toBe(1);
    expect(rounds.holding).toBe(0);
  });

  it("passes a failure on at once and still releases the others when it was the last", async () => {
    const rounds = new DecodeRounds();
    const [a, b] = [pending("a"), pending("b")];
    const first = rounds.step(a.pull);
    const second = rounds.step(b.pull);
    a.resolve();
    await settle();
    expect(rounds.holding).toBe(1);
    b.reject(new Error("aborted"));
    await expect(second).rejects.toThrow("aborted");
    await expect(first).resolves.toBe("a");
    expect(rounds.computing).toBe(0);
  });

  it("lets a held sequence go after maxHoldMs when another never gets its token", async () => {
    vi.useFakeTimers();
    const rounds = new DecodeRounds({ maxHoldMs: 20 });
    const [a, stuck] = [pending("a"), pending("never")];
    let got: string | undefined;
    void rounds.step(a.pull).then((token) => (got = token));
    void rounds.step(stuck.pull);
    a.resolve();
    await vi.advanceTimersByTimeAsync(19);
    expect(got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(got).toBe("a");
    expect(rounds.computing).toBe(1);
  });

  it("starts a new round with whoever joins: a sequence that gets its token last releases the round", async () => {
    const rounds = new DecodeRounds();
    const [a, late] = [pending("a"), pending("late")];
    const order: string[] = [];
    const first = rounds.step(a.pull).then((token) => order.push(token));
    a.resolve();
    await first;
    const joined = rounds.step(late.pull).then((token) => order.push(token));
    late.resolve();
    await joined;
    expect(order).toEqual(["a", "late"]);
  });

  it("tells, as each sequence starts computing a token, how many are computing one", async () => {
    const widths: number[] = [];
    const rounds = new DecodeRounds({ onWidth: (width) => widths.push(width) });
    const [a, b, c] = [pending("a"), pending("b"), pending("c")];
    const steps = [a, b, c].map((each) => rounds.step(each.pull));
    expect(widths).toEqual([1, 2, 3]); // started in one turn: the batch is three wide
    a.resolve();
    b.resolve();
    c.resolve();
    await Promise.all(steps);
    await rounds.step(() => Promise.resolve("alone"));
    expect(widths).toEqual([1, 2, 3, 1]); // one stream alone
  });

  it("checks its option", () => {
    expect(() => new DecodeRounds({ maxHoldMs: -1 })).toThrow("maxHoldMs must be a number ≥ 0, got -1");
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("decode rounds on the real engine"), () => {
  it("decodes three concurrent answers in batches of three (one native batch per token round)", async () => {
    // Count the tokens of every native batch of the engine's context.
    const batches: number[] = [];
    const createContext = LlamaModel.prototype.createContext;
    const spy = vi.spyOn(LlamaModel.prototype, "createContext").mockImplementation(async function (this: LlamaModel, ...args: Parameters<LlamaModel["createContext"]>) {
      const context: LlamaContext = await createContext.apply(this, args);
      const native = (context as unknown as { _ctx: { initBatch(size: number): void } })._ctx;
      const initBatch = Object.getPrototypeOf(native).initBatch as (size: number) => void;
      Object.defineProperty(native, "initBatch", { configurable: true, value: (size: number) => (batches.push(size), initBatch.call(native, size)) });
      return context;
    });
    const engine = await startLlamaEngine({ ...testEngineSettings, modelPath: testModelPath, parallel: 3, maxQueue: 0 }).finally(() => spy.mockRestore());
    try {
      const answer = async (prompt: string) => {
        const slot = await engine.acquire(engine.tokenize(prompt));
        let tokens = 0;
        try {
          for await (const event of slot.generate(engine.tokenize(prompt), { maxTokens: 24, sampling: greedy }) as AsyncIterable<GenerationEvent>) {
            if (event.type === "token" && event.token.id >= 0) tokens += 1;
          }
        } finally {
          slot.release();
        }
        return tokens;
      };
      batches.length = 0;
      const counts = await Promise.all(["Once upon a time, a fox", "Lily went to the park and", "The big red ball rolled"].map(answer));
      // Each answer's prompt is one batch (or shares one); after that, one batch per
      // round of tokens: as many as the longest answer, not one per token or pair.
      const decodeBatches = batches.filter((size) => size <= 3);
      expect(
        counts.every((count) => count > 4),
        `answers of ${counts.join(", ")} tokens`,
      ).toBe(true);
      expect(decodeBatches.length, `batch sizes ${batches.join(",")}`).toBeLessThanOrEqual(Math.max(...counts) + 2);
      const full = decodeBatches.filter((size) => size === 3).length;
      expect(full, `batch sizes ${batches.join(",")}`).toBeGreaterThanOrEqual(Math.min(...counts) - 2);
    } finally {
      await engine.dispose();
    }
  }, 60_000);

  it("decodes a batch of four sequences on the batch thread count, and two or one on the decode count", async () => {
    // Record, for every native decode, its token count and the threads llama.cpp runs it with.
    const decodes: { size: number; threads: number }[] = [];
    const createContext = LlamaModel.prototype.createContext;
    const spy = vi.spyOn(LlamaModel.prototype, "createContext").mockImplementation(async function (this: LlamaModel, ...args: Parameters<LlamaModel["createContext"]>) {
      const context: LlamaContext = await createContext.apply(this, args);
      type Native = { initBatch(size: number): void; decodeBatch(): Promise<void>; getThreads(): number };
      const native = (context as unknown as { _ctx: Native })._ctx;
      const prototype = Object.getPrototypeOf(native) as Native;
      let size = 0;
      Object.defineProperty(native, "initBatch", { configurable: true, value: (tokens: number) => ((size = tokens), prototype.initBatch.call(native, tokens)) });
      Object.defineProperty(native, "decodeBatch", {
        configurable: true,
        value: () => (decodes.push({ size, threads: prototype.getThreads.call(native) }), prototype.decodeBatch.call(native)),
      });
      return context;
    });
    const engine = await startLlamaEngine({ ...testEngineSettings, batchThreads: 2, modelPath: testModelPath, parallel: 4, maxQueue: 0 }).finally(() => spy.mockRestore());
    try {
      expect(engine.info).toMatchObject({ threads: 1, batchThreads: 2 });
      const answer = async (prompt: string) => {
        const slot = await engine.acquire(engine.tokenize(prompt));
        try {
          for await (const event of slot.generate(engine.tokenize(prompt), { maxTokens: 16, sampling: greedy }) as AsyncIterable<GenerationEvent>) void event;
        } finally {
          slot.release();
        }
      };
      decodes.length = 0;
      await Promise.all(["Once upon a time, a fox", "Lily went to the park and", "The big red ball rolled", "A little bird sang"].map(answer));
      const fourWide = decodes.filter((decode) => decode.size === 4);
      expect(fourWide.length, JSON.stringify(decodes)).toBeGreaterThan(5);
      expect(new Set(fourWide.map((decode) => decode.threads)), JSON.stringify(decodes)).toEqual(new Set([2]));

      decodes.length = 0;
      await Promise.all(["Once upon a time, a fox", "Lily went to the park and"].map(answer));
      const twoWide = decodes.filter((decode) => decode.size === 2);
      expect(twoWide.length, JSON.stringify(decodes)).toBeGreaterThan(5);
      expect(new Set(twoWide.map((decode) => decode.threads)), JSON.stringify(decodes)).toEqual(new Set([1]));

      decodes.length = 0;
      await answer("A little dog found a bone");
      const single = decodes.filter((decode) => decode.size === 1);
      expect(single.length, JSON.stringify(decodes)).toBeGreaterThan(5);
      expect(new Set(single.map((decode) => decode.threads)), JSON.stringify(decodes)).toEqual(new Set([1]));
    } finally {
      await engine.dispose();
    }
  }, 60_000);
});
