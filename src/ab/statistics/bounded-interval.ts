/**
 * @module ab/bounded-interval
 * A percentile bootstrap can be no wider than the data's own spread: when
 * every observation is the same (20 wins of 20, every score a 5), it gives a
 * zero-width interval that claims certainty a small sample does not have.
 * For a statistic bounded by [min, max] (a preference in [0, 1], a 1–5
 * score), such an interval is replaced by the Wilson score interval of the
 * mean scaled to [0, 1] — what a proportion with that many observations
 * could still be.
 */
import type { Interval } from "./interval.js";
import { wilsonInterval } from "./wilson-interval.js";

/** `interval` unchanged unless it has zero width; then the scaled Wilson interval of its value over `interval.n` observations. */
export function widenDegenerate(interval: Interval, bounds: { min: number; max: number }, observations = interval.n): Interval {
  const { value, low, high } = interval;
  if (value === null || low === null || high === null || high > low || observations <= 0) return interval;
  const span = bounds.max - bounds.min;
  const scaled = Math.min(1, Math.max(0, (value - bounds.min) / span));
  const score = wilsonInterval(scaled * observations, observations);
  return { value, low: bounds.min + score.low! * span, high: bounds.min + score.high! * span, n: interval.n };
}
