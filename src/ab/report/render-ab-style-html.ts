/**
 * @module ab/render-ab-style-html
 * The HTML parts of `report.html` that lead it: the verdict per candidate
 * with the CI gates, and the judge-free style tables. Numbers with an
 * interval are set on two lines (the value, then the interval in small
 * type) so the key tables fit a 1280-pixel page. Pure; text escaped.
 */
import type { AbResults } from "../offline/ab-results.js";
import { formatPointsInterval, formatVerdict } from "./ab-verdict.js";
import { formatPercentInterval } from "./format-ab.js";
import { escapeHtml } from "../../report-page/escape-html.js";
import { formatCount } from "./render-ab-style-md.js";
import { styleShareLabels, styleShares } from "../style/style-metrics.js";

/** `55.0 %` over `[45.2–64.0]`, from the one-line form. */
export function intervalCell(text: string, className = "number"): string {
  const split = text.indexOf(" [");
  const [value, bounds] = split < 0 ? [text, ""] : [text.slice(0, split), text.slice(split + 1)];
  return `<td class="${className}">${escapeHtml(value)}${bounds === "" ? "" : `<br><small>${escapeHtml(bounds)}</small>`}</td>`;
}

/** The verdict lines and the gates. */
export function renderVerdictsHtml(results: AbResults): string {
  const items = results.summary.comparisons.map((comparison) => `<li class="verdict ${comparison.winRateVerdict}">${escapeHtml(formatVerdict(comparison))}</li>`);
  const gates =
    results.gates === undefined
      ? ""
      : `<p class="gates">CI gates (exit code <b>${results.gates.exitCode}</b>):</p><ul class="gates">${results.gates.lines.map((line) => `<li class="${line.startsWith("FAIL") ? "fail" : "ok"}">${escapeHtml(line)}</li>`).join("")}</ul>`;
  return `<section id="verdicts"><ul>${items.join("")}</ul>${gates}</section>`;
}

/** The style shares per variant, and each candidate's differences from the baseline. */
export function renderStyleHtml(results: AbResults): string {
  const { summary } = results;
  const head = `<tr><th>variant</th><th class="number">answers</th>${styleShares.map((share) => `<th class="number">${escapeHtml(styleShareLabels[share])}</th>`).join("")}<th class="number">median chars</th></tr>`;
  const rows = summary.variants.map(
    (variant) =>
      `<tr><td>${escapeHtml(variant.variant)}</td><td class="number">${variant.style.answers}</td>${styleShares.map((share) => intervalCell(formatPercentInterval(variant.style[share]))).join("")}${intervalCell(formatCount(variant.style.medianChars))}</tr>`,
  );
  const differences =
    summary.comparisons.length === 0
      ? ""
      : `<table id="style-differences"><tr><th>candidate − baseline</th>${styleShares.map((share) => `<th class="number">${escapeHtml(styleShareLabels[share])}</th>`).join("")}</tr>${summary.comparisons
          .map(
            (comparison) =>
              `<tr><td>${escapeHtml(comparison.candidate)}</td>${comparison.style.map((entry) => intervalCell(formatPointsInterval(entry.difference), entry.verdict === "same" ? "number" : "number distinct")).join("")}</tr>`,
          )
          .join("")}</table>
<p class="muted">Differences in percentage points with Newcombe's 95 % interval; bold: distinguishable from chance (the interval excludes 0).</p>`;
  return `<table id="style">${head}${rows.join("")}</table>
<p class="muted">Read from the answer text alone: an affirming opener, a list (2+ items), a closing summary paragraph, all three with a numbered list (full URIAL style), a clean ending (the model ended the answer itself), a refusal. Shares with 95 % Wilson intervals; the median length with its distribution-free interval (none below 6 answers).</p>
${differences}`;
}
