/**
 * @module ab/ab-verdict
 * The one line per candidate that heads every report: is it better or
 * worse than the baseline by the judge (its win rate's interval lies wholly
 * above or below ½), or not distinguishable from a coin flip — and which
 * judge-free style shares differ distinguishably (their difference's
 * interval excludes 0). Pure.
 */
import type { ComparisonSummary } from "../offline/ab-results.js";
import { formatPercentInterval } from "./format-ab.js";
import type { Interval } from "../statistics/interval.js";
import { styleShareLabels } from "../style/style-metrics.js";

/** `+12.5 pts [3.1–20.4]`: a difference of shares in percentage points. */
export function formatPointsInterval(interval: Interval): string {
  if (interval.value === null) return "–";
  const points = (value: number) => `${value > 0 ? "+" : value < 0 ? "−" : "±"}${Math.abs(value * 100).toFixed(1)}`;
  const bounds = interval.low === null || interval.high === null ? "" : ` [${points(interval.low)}, ${points(interval.high)}]`;
  return `${points(interval.value)} pts${bounds}`;
}

/** The verdict word of a comparison. */
export function verdictWord(comparison: ComparisonSummary): string {
  if (comparison.pairs === 0) return "no verdict (no judged pairs)";
  return comparison.winRateVerdict === "better" ? "BETTER" : comparison.winRateVerdict === "worse" ? "WORSE" : "not distinguishable from the baseline";
}

/** E.g. `urial/b vs urial/a: BETTER — win rate 90.0 % [74.4–96.5] lies above 50 % · style: full URIAL style +85.0 pts [+62.0, +94.1] …`. */
export function formatVerdict(comparison: ComparisonSummary): string {
  const judged =
    comparison.pairs === 0
      ? "no pair could be judged"
      : `win rate ${formatPercentInterval(comparison.winRate)} ${comparison.winRateVerdict === "better" ? "lies above" : comparison.winRateVerdict === "worse" ? "lies below" : "includes"} 50 % (${comparison.pairs} pairs)`;
  const differing = comparison.style.filter((entry) => entry.verdict !== "same");
  const style =
    differing.length === 0
      ? "no style share differs distinguishably from the baseline's"
      : differing.map((entry) => `${styleShareLabels[entry.share]} ${formatPointsInterval(entry.difference)}`).join(", ");
  return `${comparison.candidate} vs ${comparison.baseline}: ${verdictWord(comparison)} — ${judged} · style: ${style}`;
}
