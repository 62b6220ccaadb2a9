/**
 * @module ab/report/format-ab
 * How `urial ab` numbers read in the reports and on the terminal:
 * `55.0 % [45.2–64.0]` for shares, `3.42 [3.10–3.71]` for means, `–` where
 * there is no data.
 */
import type { AbResults, ComparisonSummary } from "../offline/ab-results.js";
import type { Interval } from "../statistics/interval.js";

/** A share with its interval, in percent. */
export function formatPercentInterval(interval: Interval): string {
  if (interval.value === null || !Number.isFinite(interval.value)) return "–";
  const percent = (value: number) => (value * 100).toFixed(1);
  const bounds = interval.low === null || interval.high === null ? "" : ` [${percent(interval.low)}–${percent(interval.high)}]`;
  return `${percent(interval.value)} %${bounds}`;
}

/** A mean with its interval. */
export function formatMeanInterval(interval: Interval, digits = 2): string {
  if (interval.value === null || !Number.isFinite(interval.value)) return "–";
  const bounds = interval.low === null || interval.high === null ? "" : ` [${interval.low.toFixed(digits)}–${interval.high.toFixed(digits)}]`;
  return `${interval.value.toFixed(digits)}${bounds}`;
}

/** `win 30 · tie 10 · loss 20` */
export function formatVerdicts(comparison: ComparisonSummary): string {
  return `win ${comparison.wins} · tie ${comparison.ties} · loss ${comparison.losses}`;
}

/** Who judged, in one phrase. */
export function describeJudge(judge: AbResults["judge"]): string {
  return judge.kind === "remote" ? `model '${judge.model}' at ${judge.url}` : `local chat model ${judge.model}`;
}

/** One line per comparison, for the terminal. */
export function formatAbSummary(results: AbResults): string {
  const lines = results.summary.comparisons.map(
    (comparison) =>
      `${comparison.candidate} vs ${comparison.baseline}: ${formatVerdicts(comparison)} (${comparison.pairs} pairs) · win rate ${formatPercentInterval(comparison.winRate)} · length-controlled ${formatPercentInterval(comparison.lengthControlled.winRate)}`,
  );
  for (const variant of results.summary.variants) {
    lines.push(
      `${variant.variant}: overall ${formatMeanInterval(variant.aspects.overall)} · ${variant.length.value === null ? "–" : Math.round(variant.length.value)} chars · refusals ${formatPercentInterval(variant.refusalRate)} · clean endings ${formatPercentInterval(variant.cleanEndingRate)}`,
    );
  }
  const failures = results.summary.failures;
  lines.push(`judge: ${describeJudge(results.judge)}; unreadable after retries: ${failures.scores} score judgements, ${failures.pairOrders} pair orders; generation errors: ${failures.generation}`);
  return lines.join("\n");
}
