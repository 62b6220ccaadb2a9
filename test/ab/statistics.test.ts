/**
 * The statistics of `urial ab` and the live experiments on known inputs,
 * against values computed by hand: percentile bootstrap with a scripted and
 * a seeded random source, Wilson intervals, the logistic fit and the
 * length-controlled win rate, Cohen's κ, running means, informativeness.
 */
import { describe, expect, it } from "vitest";
import { bootstrapInterval, mean } from "../../src/ab/statistics/bootstrap-interval.js";
import { cohenKappa } from "../../src/ab/statistics/cohen-kappa.js";
import { informativeness, rankByInformativeness } from "../../src/ab/offline/informativeness.js";
import { compareJudges } from "../../src/ab/judge/judge-agreement.js";
import { lengthControlledWinRate, standardDeviation } from "../../src/ab/statistics/length-controlled-win-rate.js";
import { fitLogistic, sigmoid } from "../../src/ab/statistics/logistic-regression.js";
import { quantile } from "../../src/ab/statistics/quantile.js";
import { RunningStats } from "../../src/ab/statistics/running-stats.js";
import { seededRandom } from "../../src/ab/statistics/seeded-random.js";
import { studentT95 } from "../../src/ab/statistics/student-t.js";
import { wilsonInterval } from "../../src/ab/statistics/wilson-interval.js";

const logit = (p: number) => Math.log(p / (1 - p));

describe("quantile", () => {
  it("interpolates between order statistics (type 7)", () => {
    expect(quantile([3, 1, 2, 4], 0)).toBe(1);
    expect(quantile([3, 1, 2, 4], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe("bootstrapInterval", () => {
  it("takes the 2.5 % and 97.5 % quantiles of the resampled statistic (a scripted draw, by hand)", () => {
    // Resamples of [1, 2, 3] by index: [0,0,0] → 1, [0,1,2] → 2, [2,2,2] → 3, [1,1,2] → 7/3.
    const indices = [0, 0, 0, 0, 1, 2, 2, 2, 2, 1, 1, 2];
    const random = () => (indices.shift()! + 0.5) / 3;
    const interval = bootstrapInterval([1, 2, 3], mean, { resamples: 4, random });
    // Sorted 1, 2, 7/3, 3: position 3 × 0.025 = 0.075 → 1.075; 3 × 0.975 = 2.925 → 7/3 + 0.925 × 2/3 = 2.95.
    expect(interval.value).toBe(2);
    expect(interval.low).toBeCloseTo(1.075, 12);
    expect(interval.high).toBeCloseTo(2.95, 12);
    expect(interval.n).toBe(3);
    expect(indices).toEqual([]);
  });

  it("is reproducible with a seed and close to the normal interval for a proportion", () => {
    const data = Array.from({ length: 50 }, (_, index) => (index < 30 ? 1 : 0));
    const first = bootstrapInterval(data, mean, { resamples: 4000, random: seededRandom(42) });
    const again = bootstrapInterval(data, mean, { resamples: 4000, random: seededRandom(42) });
    expect(again).toEqual(first);
    expect(first.value).toBe(0.6);
    // Normal approximation: 0.6 ± 1.96 × √(0.24 / 50) = 0.6 ± 0.1358.
    expect(first.low!).toBeGreaterThan(0.6 - 0.1358 - 0.03);
    expect(first.low!).toBeLessThan(0.6 - 0.1358 + 0.03);
    expect(first.high!).toBeGreaterThan(0.6 + 0.1358 - 0.03);
    expect(first.high!).toBeLessThan(0.6 + 0.1358 + 0.03);
    expect(bootstrapInterval(data, mean, { resamples: 4000, random: seededRandom(43) })).not.toEqual(first);
  });

  it("has no interval without data, and skips resamples whose statistic is not finite", () => {
    expect(bootstrapInterval([], mean, { random: Math.random })).toEqual({ value: null, low: null, high: null, n: 0 });
    const groups = [[1], [], [3]];
    const interval = bootstrapInterval(groups, (sample) => mean(sample.flat()), { resamples: 200, random: seededRandom(1) });
    expect(interval.value).toBe(2);
    expect(interval.low).toBeGreaterThanOrEqual(1);
    expect(interval.high).toBeLessThanOrEqual(3);
  });
});

describe("seededRandom", () => {
  it("repeats its sequence for a seed and stays in [0, 1)", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(Math.abs(mean(values) - 0.5)).toBeLessThan(0.03);
  });
});

describe("wilsonInterval", () => {
  it("matches the textbook values", () => {
    const eight = wilsonInterval(8, 10);
    expect(eight.value).toBe(0.8);
    expect(eight.low).toBeCloseTo(0.49016247, 7);
    expect(eight.high).toBeCloseTo(0.94331785, 7);
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775328, 6);
    expect(wilsonInterval(3, 4).low).toBeCloseTo(0.30064184, 7);
    expect(wilsonInterval(0, 0)).toEqual({ value: null, low: null, high: null, n: 0 });
  });
});

describe("fitLogistic", () => {
  it("finds the maximum-likelihood fit for x = ±1 in closed form, with fractional targets", () => {
    // P(y | x = 1) = 0.8, P(y | x = −1) = 0.4 → β0 = (logit 0.8 + logit 0.4) / 2, β1 = (logit 0.8 − logit 0.4) / 2.
    const x = [1, 1, 1, 1, 1, -1, -1, -1, -1, -1];
    const y = [1, 1, 1, 0.5, 0.5, 1, 0.5, 0, 0, 0.5];
    const fit = fitLogistic(x, y, { ridge: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo((logit(0.8) + logit(0.4)) / 2, 9);
    expect(fit.slope).toBeCloseTo((logit(0.8) - logit(0.4)) / 2, 9);
  });

  it("stays finite on separable data thanks to the ridge", () => {
    const fit = fitLogistic([1, 2, 3, 4], [1, 1, 1, 1]);
    expect(Number.isFinite(fit.intercept)).toBe(true);
    expect(sigmoid(fit.intercept + fit.slope * 2)).toBeGreaterThan(0.99);
    expect(() => fitLogistic([1], [1, 0])).toThrow(/1 features but 2 targets/);
  });
});

describe("lengthControlledWinRate", () => {
  it("predicts the win rate at zero length difference (by hand: σ(β0) = √(8/3) / (1 + √(8/3)))", () => {
    const pairs = [...[1, 1, 1, 1, 0].map((preference) => ({ preference, lengthDifference: 100 })), ...[1, 1, 0, 0, 0].map((preference) => ({ preference, lengthDifference: -100 }))];
    const result = lengthControlledWinRate(pairs, { ridge: 0 });
    expect(result.rawWinRate).toBe(0.6);
    expect(result.winRate).toBeCloseTo(Math.sqrt(8 / 3) / (1 + Math.sqrt(8 / 3)), 9);
    expect(result.winRate).toBeCloseTo(0.6202041, 6);
    // sd of ten ±100 = 100 √(10/9); x = tanh(√(9/10)) = 0.7391864; β1 = (logit 0.8 − logit 0.4) / (2x).
    expect(result.lengthScale).toBeCloseTo(100 * Math.sqrt(10 / 9), 9);
    expect(result.lengthSlope).toBeCloseTo((logit(0.8) - logit(0.4)) / (2 * Math.tanh(Math.sqrt(0.9))), 9);
    expect(result.lengthSlope).toBeCloseTo(1.2119809, 6);
  });

  it("removes a win that comes only from length: 65 % raw, 50 % at equal length", () => {
    // Longer on 8 pairs, winning 6; shorter on 2, preference 0.5 and 0 (0.25): logit 0.75 + logit 0.25 = 0.
    const pairs = [...[1, 1, 1, 1, 1, 1, 0, 0].map((preference) => ({ preference, lengthDifference: 100 })), ...[0.5, 0].map((preference) => ({ preference, lengthDifference: -100 }))];
    const result = lengthControlledWinRate(pairs, { ridge: 0 });
    expect(result.rawWinRate).toBeCloseTo(0.65, 12);
    expect(result.winRate).toBeCloseTo(0.5, 9);
    expect(result.lengthSlope).toBeGreaterThan(0);
  });

  it("equals the raw win rate when lengths do not differ", () => {
    const result = lengthControlledWinRate(
      [1, 1, 0, 0.5].map((preference) => ({ preference, lengthDifference: 0 })),
      { ridge: 0 },
    );
    expect(result.winRate).toBeCloseTo(0.625, 9);
    expect(result.lengthScale).toBe(0);
    expect(lengthControlledWinRate([]).winRate).toBeNaN();
  });

  it("uses the sample standard deviation", () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(standardDeviation([5])).toBe(0);
  });
});

describe("cohenKappa", () => {
  it("matches a hand computation: observed 4/6, chance 14/36, κ = 5/11", () => {
    const first = ["win", "win", "loss", "tie", "win", "loss"];
    const second = ["win", "loss", "loss", "tie", "win", "win"];
    const agreement = cohenKappa(first, second);
    expect(agreement.observed).toBeCloseTo(4 / 6, 12);
    expect(agreement.expected).toBeCloseTo(14 / 36, 12);
    expect(agreement.kappa).toBeCloseTo(5 / 11, 12);
  });

  it("is 1 for perfect agreement, about 0 for chance, negative for systematic disagreement", () => {
    expect(cohenKappa(["a", "b", "a"], ["a", "b", "a"]).kappa).toBe(1);
    expect(cohenKappa(["a", "a"], ["a", "a"]).kappa).toBe(1);
    expect(cohenKappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]).kappa).toBe(-1);
    expect(cohenKappa([], []).kappa).toBeNull();
  });
});

describe("compareJudges", () => {
  it("reports agreement, κ and the margin the weak judge recovers", () => {
    // strong: 1, 1, 0.5, 0 (margin 0.625 − 0.5 = 0.125); weak: 1, 0.5, 0.5, 0.5 (0.625 − 0.5 = 0.125); one pair undecided by weak.
    const result = compareJudges([1, 0.5, 0.5, 0.5, null], [1, 1, 0.5, 0, 1]);
    expect(result.pairs).toBe(4);
    expect(result.agreement.observed).toBe(0.5);
    expect(result.strongMargin).toBeCloseTo(0.125, 12);
    expect(result.weakMargin).toBeCloseTo(0.125, 12);
    expect(result.marginRecovered).toBeCloseTo(1, 12);
    expect(result.decisivePairs).toBe(3);
    expect(result.decisiveAgreement).toBeCloseTo(1 / 3, 12);
    expect(compareJudges([0.5], [0.5]).marginRecovered).toBeNull();
  });
});

describe("RunningStats", () => {
  it("gives the mean with a Student-t interval and percentiles of the window", () => {
    const stats = new RunningStats(3);
    for (const value of [2, 4, 4, 4, 5, 5, 7, 9]) stats.add(value);
    const interval = stats.meanInterval();
    expect(interval.value).toBe(5);
    // sd = √(32/7); half width t(0.975, 7) × sd / √8 = 2.364624 × 2.13809 / 2.82843 = 1.78749.
    const half = (2.364624 * Math.sqrt(32 / 7)) / Math.sqrt(8);
    expect(half).toBeCloseTo(1.78749, 5);
    expect(interval.low).toBeCloseTo(5 - half, 12);
    expect(interval.high).toBeCloseTo(5 + half, 12);
    // The window keeps the latest three values: 7, 9 and 5.
    expect(stats.percentile(0.5)).toBe(7);
    // Two values 10 and 30: 20 ± 12.706 × 14.142 / 1.414 = 20 ± 127.06, clipped at a floor of 0.
    const two = new RunningStats();
    two.add(10);
    two.add(30);
    expect(two.meanInterval(0).low).toBe(0);
    expect(two.meanInterval(0).high).toBeCloseTo(147.06205, 4);
    const one = new RunningStats();
    one.add(3);
    expect(one.meanInterval()).toEqual({ value: 3, low: null, high: null, n: 1 });
    expect(new RunningStats().percentile(0.5)).toBeNull();
  });
});

describe("studentT95", () => {
  it("has the table values and approaches 1.96", () => {
    expect(studentT95(1)).toBe(12.706205);
    expect(studentT95(10)).toBe(2.228139);
    expect(studentT95(30)).toBe(2.042272);
    // t(0.975, 60) = 2.000298, t(0.975, 120) = 1.979930.
    expect(studentT95(60)).toBeCloseTo(2.000298, 4);
    expect(studentT95(120)).toBeCloseTo(1.97993, 4);
    expect(studentT95(0)).toBeNaN();
  });
});

describe("informativeness", () => {
  it("is the gap between variant means minus the mean within-variant spread", () => {
    // Means 4 and 2.5: gap 1.5; spreads 0 and sd(2, 3) = √0.5: within √0.5 / 2.
    expect(
      informativeness([
        [4, 4],
        [2, 3],
      ]),
    ).toBeCloseTo(1.5 - Math.sqrt(0.5) / 2, 12);
    expect(informativeness([[3], [3]])).toBe(0);
    expect(informativeness([[3], []])).toBeNull();
  });

  it("ranks most informative first, unscored last, file order among equals", () => {
    const ranked = rankByInformativeness([
      { id: "a", informativeness: 1 },
      { id: "b", informativeness: null },
      { id: "c", informativeness: 2 },
      { id: "d", informativeness: 1 },
    ]);
    expect(ranked.map((item) => item.id)).toEqual(["c", "a", "d", "b"]);
  });
});
