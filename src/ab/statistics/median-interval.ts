/**
 * @module ab/median-interval
 * The median with a distribution-free 95 % interval: the order statistics
 * x(k) and x(n−k+1) with the largest k for which the binomial(n, ½) tail
 * P(B ≤ k−1) stays at or below 2.5 %, so the interval covers the true median
 * at least 95 % of the time whatever the distribution (exact below 1,000
 * values, the normal approximation of the binomial above). Below 6 values
 * no such pair exists: the bounds are null rather than a range that claims
 * more than it can. Ties can make the two order statistics equal (six
 * answers of 3 characters among ten); the bounds then move out to the
 * nearest different values — wider, so still at least 95 % — and when all
 * values are the same there is no spread to estimate from: null bounds,
 * never a zero-width interval.
 */
import { emptyInterval, z95, type Interval } from "./interval.js";
import { quantileOfSorted } from "./quantile.js";

/** The median of `values` and its 95 % order-statistic interval. */
export function medianInterval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) return emptyInterval();
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantileOfSorted(sorted, 0.5);
  const k = lowerRank(n);
  if (k < 1) return { value: median, low: null, high: null, n };
  let low = sorted[k - 1]!;
  let high = sorted[n - k]!;
  if (low === high) {
    const below = sorted.filter((value) => value < low).at(-1);
    const above = sorted.find((value) => value > high);
    if (below === undefined && above === undefined) return { value: median, low: null, high: null, n };
    low = below ?? low;
    high = above ?? high;
  }
  return { value: median, low, high, n };
}

/** The largest k with P(Binomial(n, ½) ≤ k − 1) ≤ 0.025 (0 when even k = 1 is too wide a claim). */
export function lowerRank(n: number): number {
  if (n > 1000) return Math.max(0, Math.floor(n / 2 - (z95 * Math.sqrt(n)) / 2));
  // Cumulative binomial(n, ½) probabilities, in logs so large n does not underflow.
  let logChoose = 0;
  let cumulative = 0;
  let k = 0;
  for (let i = 0; i <= n; i += 1) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    cumulative += Math.exp(logChoose - n * Math.LN2);
    if (cumulative > 0.025) break;
    k = i + 1;
  }
  return k;
}
