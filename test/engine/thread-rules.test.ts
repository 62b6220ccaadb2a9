/**
 * The thread rules without a model: which counts `auto` resolves to, the
 * bounded decode sweep's decisions token by token, and the switch between
 * the prefill and decode counts.
 */
import { describe, expect, it } from "vitest";
import { autoThreadsBudgetMs, decodeThreadCandidates, fastestTrial, ThreadTrialPlan } from "../../src/engine/pick-thread-count.js";
import { resolveThreads } from "../../src/engine/resolve-threads.js";
import { ThreadPhases, wideDecodeBatch } from "../../src/engine/thread-phases.js";

/** Feeds a plan tokens whose duration depends on the thread count; returns the counts it ran with. */
function runPlan(plan: ThreadTrialPlan, msPerToken: (threads: number) => number, firstTokenMs = 10): number[] {
  const ran: number[] = [];
  plan.recordFirstToken(firstTokenMs);
  for (let guard = 0; guard < 1000 && plan.threads !== undefined; guard += 1) {
    const threads = plan.threads;
    ran.push(threads);
    plan.recordToken(msPerToken(threads));
  }
  return ran;
}

describe("decodeThreadCandidates", () => {
  it("halves the core count down to 1, most first", () => {
    expect(decodeThreadCandidates(1)).toEqual([1]);
    expect(decodeThreadCandidates(2)).toEqual([2, 1]);
    expect(decodeThreadCandidates(6)).toEqual([6, 3, 2, 1]);
    expect(decodeThreadCandidates(64)).toEqual([64, 32, 16, 8, 4, 2, 1]);
    expect(decodeThreadCandidates(384).length).toBe(10);
  });
});

describe("fastestTrial", () => {
  it("takes the fastest, and the fewest threads within 5 % of it", () => {
    expect(
      fastestTrial([
        { threads: 2, tokensPerSecond: 50 },
        { threads: 1, tokensPerSecond: 170 },
      ]),
    ).toBe(1);
    expect(
      fastestTrial([
        { threads: 8, tokensPerSecond: 100 },
        { threads: 4, tokensPerSecond: 96 },
        { threads: 2, tokensPerSecond: 60 },
      ]),
    ).toBe(4);
    expect(
      fastestTrial([
        { threads: 8, tokensPerSecond: 100 },
        { threads: 4, tokensPerSecond: 90 },
      ]),
    ).toBe(8);
    expect(fastestTrial([])).toBeUndefined();
  });
});

describe("ThreadTrialPlan", () => {
  it("on a 2-core VM where one thread is faster, measures both and picks 1", () => {
    const plan = new ThreadTrialPlan([2, 1], 3000, 6);
    const ran = runPlan(plan, (threads) => (threads === 2 ? 20 : 6));
    // One untimed switch token plus six timed ones per candidate.
    expect(ran).toEqual([...Array(7).fill(2), ...Array(7).fill(1)]);
    const sweep = plan.result();
    expect(sweep.best).toBe(1);
    expect(sweep.ended).toBe("all-candidates");
    expect(sweep.trials).toEqual([
      { threads: 2, tokensPerSecond: 50 },
      { threads: 1, tokensPerSecond: 1000 / 6 },
    ]);
  });

  it("stops going down once a count is clearly slower than the best (64 cores, memory-bound decode)", () => {
    const speed: Record<number, number> = { 64: 40, 32: 41, 16: 30, 8: 18, 4: 10, 2: 5, 1: 3 };
    const plan = new ThreadTrialPlan(decodeThreadCandidates(64), 3000, 6);
    const ran = runPlan(plan, (threads) => 1000 / speed[threads]!);
    expect([...new Set(ran)]).toEqual([64, 32, 16]);
    const sweep = plan.result();
    expect(sweep.ended).toBe("slower");
    expect(sweep.best).toBe(32);
  });

  it("stays within the budget plus one token per candidate, whatever the core count and the model's speed", () => {
    for (const msPerToken of [1, 40, 300, 900]) {
      for (const cores of [2, 16, 256]) {
        const candidates = decodeThreadCandidates(cores);
        const plan = new ThreadTrialPlan(candidates, 2000, 6);
        runPlan(plan, () => msPerToken);
        const sweep = plan.result();
        expect(sweep.elapsedMs, `${cores} cores, ${msPerToken} ms/token`).toBeLessThanOrEqual(2000 + candidates.length * msPerToken + 10);
        // Equal speeds: every candidate is tried, and the fewest threads win the tie.
        expect(sweep.trials.map((trial) => trial.threads)).toEqual(candidates);
        expect(sweep.best).toBe(1);
      }
    }
  });

  it("still tries the fewer-thread counts when many threads use up the budget on a busy machine", () => {
    // Two spinning threads on a loaded 2-core VM: a second a token; one thread: 5 ms.
    const plan = new ThreadTrialPlan([2, 1], 3000, 6);
    runPlan(plan, (threads) => (threads === 2 ? 1000 : 5), 1200);
    const sweep = plan.result();
    expect(sweep.trials.map((trial) => trial.threads)).toEqual([2, 1]);
    expect(sweep.best).toBe(1);
  });

  it("judges a candidate too slow for a timed token by its switch token", () => {
    const plan = new ThreadTrialPlan([4, 2, 1], 900, 6);
    runPlan(plan, (threads) => (threads === 4 ? 400 : 100));
    const sweep = plan.result();
    expect(sweep.trials[0]).toEqual({ threads: 4, tokensPerSecond: 2.5 });
    expect(sweep.trials.map((trial) => trial.threads)).toEqual([4, 2, 1]);
    // 2 and 1 tie at 10 tokens/s: the fewer threads win.
    expect(sweep.best).toBe(1);
  });

  it("does not measure a model whose first token takes longer than four budgets", () => {
    const plan = new ThreadTrialPlan([8, 4, 2, 1], 3000, 6);
    expect(runPlan(plan, () => 13_000, 12_500)).toEqual([]);
    expect(plan.result()).toMatchObject({ best: undefined, trials: [], ended: "slow-model" });
  });

  it("gives each count one token when the first token already overran the budget (two threads spinning on a busy VM)", () => {
    const plan = new ThreadTrialPlan([2, 1], 3000, 6);
    expect(runPlan(plan, (threads) => (threads === 2 ? 4000 : 30), 5000)).toEqual([2, 1]);
    expect(plan.result()).toMatchObject({ best: 1, ended: "budget" });
  });

  it("has a documented default budget of a few seconds", () => {
    expect(autoThreadsBudgetMs).toBe(3000);
  });
});

describe("resolveThreads", () => {
  it("auto: prefill on every physical core, decode measured over the halving candidates", () => {
    expect(resolveThreads({ threads: "auto" }, 8, false)).toMatchObject({ decode: "measure", batch: 8, candidates: [8, 4, 2, 1], ceiling: 8 });
    expect(resolveThreads({ threads: "auto", batchThreads: "auto" }, 2, false)).toMatchObject({ decode: "measure", batch: 2, candidates: [2, 1] });
  });

  it("skips the measurement when every layer is on a GPU, and on one core", () => {
    const gpu = resolveThreads({ threads: "auto" }, 16, true);
    expect(gpu).toMatchObject({ decode: 16, batch: 16, candidates: [] });
    expect(gpu.reason).toContain("GPU");
    expect(resolveThreads({ threads: "auto" }, 1, false)).toMatchObject({ decode: 1, batch: 1, candidates: [] });
  });

  it("uses given counts as they are, and the context's ceiling covers both", () => {
    expect(resolveThreads({ threads: 1, batchThreads: 4 }, 2, false)).toMatchObject({ decode: 1, batch: 4, ceiling: 4, candidates: [] });
    expect(resolveThreads({ threads: 3 }, 2, false)).toMatchObject({ decode: 3, batch: 2, ceiling: 3 });
    expect(resolveThreads({ threads: "auto", batchThreads: 1 }, 4, false)).toMatchObject({ decode: "measure", batch: 1, ceiling: 4 });
  });
});

describe("ThreadPhases", () => {
  it("runs batches with the batch count while any prefill runs, else with the decode count", async () => {
    const llama = { maxThreads: 99 };
    const phases = new ThreadPhases(llama, { decode: 1, batch: 2 });
    expect(llama.maxThreads).toBe(1);
    const endA = phases.beginPrefill();
    const endB = phases.beginPrefill();
    expect(llama.maxThreads).toBe(2);
    endA();
    endA(); // idempotent: does not end B's prefill
    expect(llama.maxThreads).toBe(2);
    endB();
    expect(llama.maxThreads).toBe(1);
    await expect(phases.prefill(async () => llama.maxThreads)).resolves.toBe(2);
    await expect(phases.prefill(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(llama.maxThreads).toBe(1);
    phases.setDecode(3);
    expect(llama.maxThreads).toBe(3);
    expect(phases.counts).toEqual({ decode: 3, batch: 2 });
  });

  it("runs a decode batch of wideDecodeBatch (4) sequences or more with the batch count, fewer with the decode count", () => {
    const llama = { maxThreads: 99 };
    const phases = new ThreadPhases(llama, { decode: 1, batch: 2 });
    expect(wideDecodeBatch).toBe(4);
    phases.setDecodeWidth(3);
    expect(llama.maxThreads).toBe(1);
    phases.setDecodeWidth(4);
    expect(llama.maxThreads).toBe(2);
    phases.setDecodeWidth(8);
    expect(llama.maxThreads).toBe(2);
    phases.setDecodeWidth(1);
    expect(llama.maxThreads).toBe(1);
    const end = phases.beginPrefill();
    phases.setDecodeWidth(1);
    expect(llama.maxThreads).toBe(2); // a prefill still runs
    end();
    expect(llama.maxThreads).toBe(1);
    phases.setDecodeWidth(0);
    expect(llama.maxThreads).toBe(1);
  });

  it("rejects counts below 1", () => {
    expect(() => new ThreadPhases({ maxThreads: 1 }, { decode: 0, batch: 1 })).toThrow(/decode thread count/);
    expect(() => new ThreadPhases({ maxThreads: 1 }, { decode: 1, batch: 1.5 })).toThrow(/batch thread count/);
  });
});
