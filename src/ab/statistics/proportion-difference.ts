/**
 * @module ab/proportion-difference
 * The difference of two proportions with Newcombe's hybrid score interval
 * (his method 10: built from the two Wilson intervals). Unlike the Wald
 * interval it stays sensible at 0/n and n/n and on small samples: 0/20
 * against 20/20 gives about [−1, −0.84], not a zero-width [−1, −1].
 */
import { emptyInterval, type Interval } from "./interval.js";
import { wilsonInterval } from "./wilson-interval.js";

/** p₁ − p₂ for `x1` of `n1` and `x2` of `n2`, with its 95 % interval (n is n₁ + n₂). */
export function proportionDifference(x1: number, n1: number, x2: number, n2: number): Interval {
  if (n1 <= 0 || n2 <= 0) return emptyInterval(Math.max(0, n1) + Math.max(0, n2));
  const first = wilsonInterval(x1, n1);
  const second = wilsonInterval(x2, n2);
  const p1 = first.value!;
  const p2 = second.value!;
  const difference = p1 - p2;
  const low = difference - Math.sqrt((p1 - first.low!) ** 2 + (second.high! - p2) ** 2);
  const high = difference + Math.sqrt((first.high! - p1) ** 2 + (p2 - second.low!) ** 2);
  return { value: difference, low: Math.max(-1, low), high: Math.min(1, high), n: n1 + n2 };
}

/** Whether an interval lies wholly on one side of `reference`: `above`, `below`, or `neither` (or no interval). */
export function sideOf(interval: Interval, reference: number): "above" | "below" | "neither" {
  if (interval.low === null || interval.high === null) return "neither";
  if (interval.low > reference) return "above";
  if (interval.high < reference) return "below";
  return "neither";
}
