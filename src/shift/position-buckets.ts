/**
 * @module shift/position-buckets
 * The answer-position buckets the split is reported by: shifts concentrate at
 * the start of answers, so the first buckets are narrow.
 */

export interface PositionBucket {
  label: string;
  /** First position (1-based, inclusive). */
  from: number;
  /** Last position (inclusive); null for no upper bound. */
  to: number | null;
}

/** 1–5, 6–20, 21–50, >50. */
export const positionBuckets: readonly PositionBucket[] = [
  { label: "1-5", from: 1, to: 5 },
  { label: "6-20", from: 6, to: 20 },
  { label: "21-50", from: 21, to: 50 },
  { label: ">50", from: 51, to: null },
];

/** The bucket of a 1-based answer position. */
export function bucketOf(position: number): PositionBucket {
  if (!Number.isInteger(position) || position < 1) throw new RangeError(`a position is a whole number ≥ 1, got ${position}`);
  return positionBuckets.find((bucket) => position >= bucket.from && (bucket.to === null || position <= bucket.to))!;
}
