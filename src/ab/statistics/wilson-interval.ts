/**
 * @module ab/statistics/wilson-interval
 * The Wilson score interval for a proportion: well behaved near 0 and 1 and
 * for small counts, where the normal approximation is not.
 */
import { emptyInterval, z95, type Interval } from "./interval.js";

/** `successes` of `trials` with its 95 % Wilson interval. */
export function wilsonInterval(successes: number, trials: number, z = z95): Interval {
  if (trials <= 0) return emptyInterval();
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { value: p, low: Math.max(0, center - half), high: Math.min(1, center + half), n: trials };
}
