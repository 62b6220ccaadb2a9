import { describe, expect, it } from "vitest";
import { scoreDistribution } from "../../src/shift/score-distribution.js";

describe("scoreDistribution", () => {
  const probabilities = Float32Array.from([0.05, 0.4, 0.1, 0.3, 0.1, 0.05]);

  it("gives the exact rank over the whole vocabulary, beyond the top-k", () => {
    expect(scoreDistribution(probabilities, 1, 2).rank).toBe(1);
    expect(scoreDistribution(probabilities, 3, 2).rank).toBe(2);
    // Not in a top-2 table, still ranked exactly.
    expect(scoreDistribution(probabilities, 0, 2)).toMatchObject({ rank: 5 });
  });

  it("gives tied tokens the better rank", () => {
    expect(scoreDistribution(probabilities, 2, 3).rank).toBe(3);
    expect(scoreDistribution(probabilities, 4, 3).rank).toBe(3);
  });

  it("returns the top-k most likely first, ties by lower id", () => {
    expect(scoreDistribution(probabilities, 0, 4).top.map((entry) => entry.id)).toEqual([1, 3, 2, 4]);
    expect(scoreDistribution(probabilities, 0, 4).top[0]!.probability).toBeCloseTo(0.4, 6);
  });

  it("returns the token's own probability", () => {
    expect(scoreDistribution(probabilities, 3, 1).probability).toBeCloseTo(0.3, 6);
  });

  it("rejects a token outside the vocabulary", () => {
    expect(() => scoreDistribution(probabilities, 6, 1)).toThrow(RangeError);
  });
});
