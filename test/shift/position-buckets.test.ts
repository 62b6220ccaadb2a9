import { describe, expect, it } from "vitest";
import { bucketOf, positionBuckets } from "../../src/shift/position-buckets.js";

describe("position buckets", () => {
  it("are 1–5, 6–20, 21–50 and >50", () => {
    expect(positionBuckets.map((bucket) => bucket.label)).toEqual(["1-5", "6-20", "21-50", ">50"]);
  });

  it("put each boundary position in the right bucket", () => {
    const cases: [number, string][] = [
      [1, "1-5"],
      [5, "1-5"],
      [6, "6-20"],
      [20, "6-20"],
      [21, "21-50"],
      [50, "21-50"],
      [51, ">50"],
      [10_000, ">50"],
    ];
    for (const [position, label] of cases) expect(bucketOf(position).label, `position ${position}`).toBe(label);
  });

  it("cover every position exactly once", () => {
    for (let position = 1; position <= 120; position += 1) {
      const matching = positionBuckets.filter((bucket) => position >= bucket.from && (bucket.to === null || position <= bucket.to));
      expect(matching).toHaveLength(1);
    }
  });

  it("reject position 0 (positions are 1-based)", () => {
    expect(() => bucketOf(0)).toThrow(RangeError);
  });
});
