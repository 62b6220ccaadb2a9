/**
 * @module ab/render-ab-style-md
 * The Markdown parts of `report.md` that lead it: the verdict per candidate
 * with the CI gates, and the judge-free style tables (each variant's shares
 * with Wilson intervals and median length; each candidate's differences
 * from the baseline, marked where they are distinguishable from chance).
 * Pure.
 */
import type { AbResults } from "../offline/ab-results.js";
import { formatPointsInterval, formatVerdict } from "./ab-verdict.js";
import { formatPercentInterval } from "./format-ab.js";
import type { Interval } from "../statistics/interval.js";
import { styleShareLabels, styleShares } from "../style/style-metrics.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** `## Verdict`: one line per candidate, then the gates. */
export function renderVerdictMarkdown(results: AbResults): string[] {
  const lines = ["## Verdict", "", ...results.summary.comparisons.map((comparison) => `- ${formatVerdict(comparison)}`)];
  if (results.gates !== undefined) lines.push("", `CI gates (exit code ${results.gates.exitCode}):`, "", ...results.gates.lines.map((line) => `- ${line}`));
  lines.push("");
  return lines;
}

/** `## Style (judge-free)`: the shares per variant and the differences per candidate. */
export function renderStyleMarkdown(results: AbResults): string[] {
  const { summary } = results;
  const lines = [
    "## Style (judge-free)",
    "",
    "Read from the answer text alone: an affirming opener, a list (2+ items), a closing summary paragraph, all three with a numbered list (full URIAL style), a clean ending (the model ended the answer itself) and a refusal. Shares with 95 % Wilson intervals; the median length in characters with its distribution-free interval (none below 6 answers).",
    "",
    `| variant | answers | ${styleShares.map((share) => styleShareLabels[share]).join(" | ")} | median chars |`,
    `|---|---:|${styleShares.map(() => "---:").join("|")}|---:|`,
    ...summary.variants.map(
      (variant) =>
        `| ${cell(variant.variant)} | ${variant.style.answers} | ${styleShares.map((share) => formatPercentInterval(variant.style[share])).join(" | ")} | ${formatCount(variant.style.medianChars)} |`,
    ),
    "",
  ];
  if (summary.comparisons.length > 0) {
    lines.push(
      `Candidate − baseline, in percentage points with Newcombe's 95 % interval; **bold**: distinguishable from chance (the interval excludes 0).`,
      "",
      `| candidate | ${styleShares.map((share) => styleShareLabels[share]).join(" | ")} |`,
      `|---|${styleShares.map(() => "---:").join("|")}|`,
      ...summary.comparisons.map(
        (comparison) =>
          `| ${cell(comparison.candidate)} | ${comparison.style.map((entry) => (entry.verdict === "same" ? formatPointsInterval(entry.difference) : `**${formatPointsInterval(entry.difference)}**`)).join(" | ")} |`,
      ),
      "",
    );
  }
  return lines;
}

/** A median with its interval, rounded to whole characters. */
export function formatCount(interval: Interval): string {
  if (interval.value === null) return "–";
  const bounds = interval.low === null || interval.high === null ? "" : ` [${Math.round(interval.low)}–${Math.round(interval.high)}]`;
  return `${Math.round(interval.value)}${bounds}`;
}
