/**
 * @module ab/statistics/bootstrap-interval
 * Percentile bootstrap: resample the observations with replacement, compute
 * the statistic on each resample, and take the 2.5 % and 97.5 % quantiles.
 * The random source is passed in, so a seed reproduces the interval.
 */
import type { Interval } from "./interval.js";
import { emptyInterval } from "./interval.js";
import { quantileOfSorted } from "./quantile.js";

export interface BootstrapOptions {
  /** Resamples drawn. Defaults to 2000. */
  resamples?: number;
  /** Numbers in [0, 1); use `seededRandom(seed)` for a reproducible interval. */
  random: () => number;
  /** Two-sided coverage. Defaults to 0.95. */
  level?: number;
}

/**
 * The statistic on all `items` with its percentile-bootstrap interval.
 * Resamples whose statistic is not finite (e.g. an empty group) are skipped.
 */
export function bootstrapInterval<Item>(items: readonly Item[], statistic: (sample: readonly Item[]) => number, options: BootstrapOptions): Interval {
  if (items.length === 0) return emptyInterval();
  const value = statistic(items);
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const estimates: number[] = [];
  const sample: Item[] = new Array<Item>(items.length);
  for (let round = 0; round < resamples; round += 1) {
    for (let index = 0; index < items.length; index += 1) sample[index] = items[Math.floor(options.random() * items.length)]!;
    const estimate = statistic(sample);
    if (Number.isFinite(estimate)) estimates.push(estimate);
  }
  if (estimates.length === 0 || !Number.isFinite(value)) return { value: Number.isFinite(value) ? value : null, low: null, high: null, n: items.length };
  estimates.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { value, low: quantileOfSorted(estimates, tail), high: quantileOfSorted(estimates, 1 - tail), n: items.length };
}

/** The arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
