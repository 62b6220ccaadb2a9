/**
 * @module ab/statistics/quantile
 * Quantiles of sorted samples with linear interpolation between order
 * statistics (the "type 7" definition of R and NumPy's default).
 */

/** The `q` quantile (0–1) of ascending `sorted`; NaN when empty. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const low = sorted[below]!;
  return low + (position - below) * (sorted[above]! - low);
}

/** The `q` quantile of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  return quantileOfSorted(
    [...values].sort((a, b) => a - b),
    q,
  );
}
