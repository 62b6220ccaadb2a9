/**
 * @module ab/statistics/interval
 * A point estimate with its 95 % interval, as every statistic of `urial ab`
 * and `GET /v1/experiments/:id` reports it. `null` bounds: not enough data.
 */

export interface Interval {
  /** The point estimate; null when there is no data. */
  value: number | null;
  /** Lower bound of the 95 % interval. */
  low: number | null;
  /** Upper bound of the 95 % interval. */
  high: number | null;
  /** Observations behind the estimate. */
  n: number;
}

/** An interval with no data. */
export function emptyInterval(n = 0): Interval {
  return { value: null, low: null, high: null, n };
}

/** z for a two-sided 95 % normal interval. */
export const z95 = 1.959963984540054;
