/**
 * The selection logic on fake objectives: greedy order, the swap pass that
 * repairs a greedy choice, the prefix budget, the evaluation budget with its
 * seeded sampling, ties and the edge cases.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/ab/statistics/seeded-random.js";
import { NothingFitsError, selectExemplars, type EvaluatedEvent, type SetObjective } from "../../src/exemplar-search/select-exemplars.js";

/** An objective that ignores order, from a table of set keys ("" for the empty set, "0,2" for {0, 2}). */
function tableObjective(table: Record<string, number | null>, fallback: number): SetObjective & { calls: number[][] } {
  const calls: number[][] = [];
  const objective = async (set: readonly number[]) => {
    calls.push([...set]);
    const key = [...set].sort((a, b) => a - b).join(",");
    return key in table ? table[key]! : fallback;
  };
  return Object.assign(objective, { calls });
}

/** Additive: each exemplar lowers the objective by its own amount. */
function additive(gains: readonly number[]): SetObjective & { calls: number[][] } {
  const calls: number[][] = [];
  const objective = async (set: readonly number[]) => {
    calls.push([...set]);
    return 100 - set.reduce((sum, index) => sum + gains[index]!, 0);
  };
  return Object.assign(objective, { calls });
}

describe("selectExemplars", () => {
  it("adds, step by step, the candidate that lowers the objective most, and evaluates each set once", async () => {
    const evaluate = additive([3, 9, 1, 7, 5]);
    const result = await selectExemplars({ poolSize: 5, k: 3, evaluate, swapPasses: 1, random: seededRandom(1) });
    expect(result.set).toEqual([1, 3, 4]);
    expect(result.objective).toBe(100 - 9 - 7 - 5);
    expect(result.steps.map((step) => [step.phase, step.added, step.objective])).toEqual([
      ["start", null, 100],
      ["greedy", 1, 91],
      ["greedy", 3, 84],
      ["greedy", 4, 79],
    ]);
    // Greedy: 1 + 5 + 4 + 3 sets; the swap pass tries the 2 outsiders at 3 positions and changes
    // nothing — at the last position those are the sets greedy step 3 already scored.
    expect(result.evaluations).toBe(13 + 4);
    expect(evaluate.calls).toHaveLength(result.evaluations);
    expect(new Set(evaluate.calls.map((set) => set.join(","))).size).toBe(evaluate.calls.length);
    expect(result.steps[1]!.candidates).toEqual([0, 1, 2, 3, 4].map((candidate) => ({ candidate, objective: 100 - [3, 9, 1, 7, 5][candidate]! })));
    expect(result).toMatchObject({ shortBecause: null, budgetLimited: false });
  });

  it("repairs a greedy choice in the swap pass: the best single exemplar is not part of the best pair", async () => {
    const evaluate = tableObjective({ "": 10, "0": 5, "1": 6, "2": 6, "3": 8, "0,1": 4, "0,2": 4, "0,3": 4, "1,2": 1 }, 7);
    const greedyOnly = await selectExemplars({ poolSize: 4, k: 2, evaluate, swapPasses: 0, random: seededRandom(1) });
    expect(greedyOnly.set).toEqual([0, 1]);
    expect(greedyOnly.objective).toBe(4);

    const result = await selectExemplars({
      poolSize: 4,
      k: 2,
      evaluate: tableObjective({ "": 10, "0": 5, "1": 6, "2": 6, "3": 8, "0,1": 4, "0,2": 4, "0,3": 4, "1,2": 1 }, 7),
      swapPasses: 3,
      random: seededRandom(1),
    });
    expect(result.set).toEqual([2, 1]);
    expect(result.objective).toBe(1);
    const swap = result.steps.find((step) => step.phase === "swap")!;
    expect(swap).toMatchObject({ step: 1, position: 0, removed: 0, added: 2, set: [2, 1], objective: 1 });
    expect(swap.candidates).toEqual([
      { candidate: 2, objective: 1 },
      { candidate: 3, objective: 7 },
    ]);
    // A second pass found nothing better and ended the swaps.
    expect(result.steps.filter((step) => step.phase === "swap")).toHaveLength(1);
  });

  it("never chooses a set that does not fit the prefix budget, and records it as not fitting", async () => {
    const gains = [1, 50, 2, 3];
    const evaluate: SetObjective = async (set) => (set.includes(1) ? null : 100 - set.reduce((sum, index) => sum + gains[index]!, 0));
    const result = await selectExemplars({ poolSize: 4, k: 2, evaluate, swapPasses: 1, random: seededRandom(1) });
    expect(result.set).toEqual([3, 2]);
    expect(result.steps[1]!.candidates.find((entry) => entry.candidate === 1)).toEqual({ candidate: 1, objective: null });
  });

  it("stops short of K when nothing more fits, and says why", async () => {
    const evaluate: SetObjective = async (set) => (set.length > 1 ? null : 10 - set.length);
    const result = await selectExemplars({ poolSize: 4, k: 3, evaluate, swapPasses: 1, random: seededRandom(1) });
    expect(result.set).toEqual([0]);
    expect(result.shortBecause).toBe("budget");
    const small = await selectExemplars({ poolSize: 2, k: 3, evaluate: additive([1, 2]), swapPasses: 1, random: seededRandom(1) });
    expect(small.set).toEqual([1, 0]);
    expect(small.shortBecause).toBe("pool");
  });

  it("throws when even the empty set (the system prompt alone) does not fit", async () => {
    await expect(selectExemplars({ poolSize: 3, k: 1, evaluate: async () => null, swapPasses: 0, random: seededRandom(1) })).rejects.toBeInstanceOf(NothingFitsError);
  });

  it("breaks ties by pool order", async () => {
    const result = await selectExemplars({ poolSize: 4, k: 2, evaluate: additive([2, 5, 5, 5]), swapPasses: 1, random: seededRandom(3) });
    expect(result.set).toEqual([1, 2]);
  });

  it("keeps within --max-evaluations by sampling candidates with the seed, reproducibly", async () => {
    const gains = Array.from({ length: 20 }, (_, index) => (index * 7) % 20);
    const run = (seed: number) => selectExemplars({ poolSize: 20, k: 3, evaluate: additive(gains), swapPasses: 2, maxEvaluations: 16, random: seededRandom(seed) });
    const first = await run(7);
    const again = await run(7);
    expect(again).toEqual(first);
    expect(first.evaluations).toBeLessThanOrEqual(16);
    expect(first.set).toHaveLength(3);
    expect(first.budgetLimited).toBe(true);
    // Each greedy step tried floor((16 − 1) / 3) = 5 candidates.
    expect(first.steps.filter((step) => step.phase === "greedy").map((step) => step.candidates.length)).toEqual([5, 5, 5]);
    const seeds = await Promise.all([1, 2, 3, 4, 5].map(async (seed) => (await run(seed)).steps[1]!.candidates.map((entry) => entry.candidate).join(",")));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it("reports every evaluation with the best so far and the plan", async () => {
    const events: EvaluatedEvent[] = [];
    await selectExemplars({ poolSize: 3, k: 1, evaluate: additive([1, 3, 2]), swapPasses: 1, random: seededRandom(1), onEvaluated: (event) => events.push(event) });
    expect(events.map((event) => [event.phase, event.set.join(","), event.objective, event.best])).toEqual([
      ["start", "", 100, 100],
      ["greedy", "0", 99, 99],
      ["greedy", "1", 97, 97],
      ["greedy", "2", 98, 97],
      // The swap tries the two outsiders at the one position, in seeded order; both are known sets.
      ...events.slice(4).map((event) => [event.phase, event.set.join(","), event.objective, event.best]),
    ]);
    expect(events.slice(4).every((event) => event.phase === "swap" && event.repeated)).toBe(true);
    expect(events.at(-1)!.evaluations).toBe(4);
    expect(events[0]!.planned).toBe(1 + 3 + 2);
  });
});
