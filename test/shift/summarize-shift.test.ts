import { describe, expect, it } from "vitest";
import { shiftSummarySchema } from "../../src/shift/shift-schema.js";
import { summarizeShift, topShiftedLimit } from "../../src/shift/summarize-shift.js";
import { summarizeSplit } from "../../src/shift/summarize-split.js";
import { makePosition, makePrompt } from "./support/make-position.js";

describe("summarizeSplit", () => {
  it("counts the categories and gives shares that sum to 1", () => {
    const split = summarizeSplit([1, 1, 2, 3, 4, 60].map((rank, index) => makePosition(index + 1, { zeroShot: rank, urial: 1, zeroShotKl: index }).zeroShot));
    expect(split).toMatchObject({ positions: 6, unshifted: 2, marginal: 2, shifted: 2 });
    expect(split.unshiftedShare! + split.marginalShare! + split.shiftedShare!).toBeCloseTo(1, 12);
    expect(split.meanKl).toBeCloseTo((0 + 1 + 2 + 3 + 4 + 5) / 6, 12);
  });

  it("has null shares and mean KL for no positions", () => {
    expect(summarizeSplit([])).toEqual({ positions: 0, unshifted: 0, marginal: 0, shifted: 0, unshiftedShare: null, marginalShare: null, shiftedShare: null, meanKl: null });
  });
});

describe("summarizeShift", () => {
  // Two answers: shifted tokens at the start, unshifted later; the second answer is longer than 50.
  const first = makePrompt("a", [
    { zeroShot: 9, urial: 2, token: 7, zeroShotKl: 2, urialKl: 1 },
    { zeroShot: 5, urial: 5, token: 8, zeroShotKl: 1, urialKl: 1 },
    ...Array.from({ length: 8 }, () => ({ zeroShot: 1, urial: 1, token: 9 })),
  ]);
  const second = makePrompt(
    "b",
    [
      { zeroShot: 12, urial: 1, token: 7, zeroShotKl: 4, urialKl: 0 },
      ...Array.from({ length: 59 }, (_, index) => ({ zeroShot: index % 10 === 0 ? 2 : 1, urial: 1, token: 9 })),
      { zeroShot: 30, urial: 30, token: 8 },
    ],
    true,
  );
  const summary = summarizeShift([first, second]);

  it("matches its schema", () => {
    expect(shiftSummarySchema.safeParse(summary).success).toBe(true);
  });

  it("counts prompts, positions and cut answers", () => {
    expect(summary).toMatchObject({ prompts: 2, positions: 71, truncatedPrompts: 1 });
  });

  it("splits every position overall, per context", () => {
    expect(summary.zeroShot.overall).toMatchObject({ positions: 71, shifted: 4, marginal: 6, unshifted: 61 });
    expect(summary.urial.overall).toMatchObject({ positions: 71, shifted: 2, marginal: 1, unshifted: 68 });
  });

  it("splits by position bucket, and the buckets add up to the whole", () => {
    const zeroShot = Object.fromEntries(summary.zeroShot.byBucket.map((bucket) => [bucket.bucket, bucket]));
    expect(zeroShot["1-5"]).toMatchObject({ positions: 10, shifted: 3 });
    expect(zeroShot[">50"]).toMatchObject({ positions: 11, shifted: 1, from: 51, to: null });
    for (const context of [summary.zeroShot, summary.urial]) {
      const total = context.byBucket.reduce((sum, bucket) => sum + bucket.positions, 0);
      const shifted = context.byBucket.reduce((sum, bucket) => sum + bucket.shifted, 0);
      expect(total).toBe(context.overall.positions);
      expect(shifted).toBe(context.overall.shifted);
    }
  });

  it("averages KL and rank per position over the answers that reach it", () => {
    const firstPoint = summary.byPosition[0]!;
    expect(firstPoint).toMatchObject({ position: 1, count: 2 });
    expect(firstPoint.zeroShot.meanKl).toBeCloseTo(3, 12);
    expect(firstPoint.zeroShot.meanRank).toBeCloseTo((9 + 12) / 2, 12);
    expect(firstPoint.zeroShot.shiftedShare).toBe(1);
    expect(firstPoint.urial.shiftedShare).toBe(0);
    expect(summary.byPosition.at(-1)).toMatchObject({ position: 61, count: 1 });
    expect(summary.byPosition.map((point) => point.position)).toEqual(Array.from({ length: 61 }, (_, index) => index + 1));
  });

  it("lists the most often shifted tokens with their counts", () => {
    expect(summary.topShifted.zeroShot).toEqual([
      { tokenId: 7, text: "t7", shifted: 2, occurrences: 2 },
      { tokenId: 8, text: "t8", shifted: 2, occurrences: 2 },
    ]);
    expect(summary.topShifted.urial).toEqual([{ tokenId: 8, text: "t8", shifted: 2, occurrences: 2 }]);
  });

  it("keeps at most the top 20 shifted tokens, most shifted first", () => {
    const many = makePrompt(
      "many",
      Array.from({ length: 30 }, (_, index) => ({ zeroShot: 9, urial: 1, token: index < 5 ? 500 : 200 + index })),
    );
    const top = summarizeShift([many]).topShifted.zeroShot;
    expect(top).toHaveLength(topShiftedLimit);
    expect(top[0]).toMatchObject({ tokenId: 500, shifted: 5 });
  });

  it("has the closure over all positions", () => {
    expect(summary.closure).toMatchObject({ resolved: 2, introduced: 0 });
    expect(summary.closure.relative).toBeCloseTo(0.5, 12);
  });
});
