import { describe, expect, it } from "vitest";
import { classifyRank } from "../../src/shift/classify-rank.js";

describe("classifyRank", () => {
  it("uses the paper's thresholds: η = 1 unshifted, 2–3 marginal, > 3 shifted", () => {
    expect([1, 2, 3, 4, 5, 511].map(classifyRank)).toEqual(["unshifted", "marginal", "marginal", "shifted", "shifted", "shifted"]);
  });

  it("rejects ranks that cannot exist", () => {
    expect(() => classifyRank(0)).toThrow(/≥ 1/);
    expect(() => classifyRank(1.5)).toThrow(/whole number/);
  });
});
