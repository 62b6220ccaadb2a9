/**
 * @module ab/style-difference
 * How a candidate's style differs from the baseline's, share by share: the
 * difference in percentage points with its Newcombe interval, and whether it
 * is distinguishable from chance (the interval excludes 0). The interval
 * treats the two groups as independent; answers to the same prompts are
 * usually positively correlated, which makes it conservative.
 */
import type { Interval } from "../statistics/interval.js";
import { proportionDifference, sideOf } from "../statistics/proportion-difference.js";
import { styleShares, type StyleMetrics, type StyleShare } from "./style-metrics.js";

export interface StyleShareDifference {
  share: StyleShare;
  /** Candidate share minus baseline share (−1 to 1). */
  difference: Interval;
  /** `higher`/`lower`: the candidate's share is distinguishably higher/lower; `same`: not distinguishable from chance. */
  verdict: "higher" | "lower" | "same";
}

/** Every share's difference, candidate − baseline. */
export function compareStyle(candidate: StyleMetrics, baseline: StyleMetrics): StyleShareDifference[] {
  return styleShares.map((share) => {
    const difference = proportionDifference(candidate.counts[share], candidate.answers, baseline.counts[share], baseline.answers);
    const side = sideOf(difference, 0);
    return { share, difference, verdict: side === "above" ? "higher" : side === "below" ? "lower" : "same" };
  });
}
