/**
 * @module ab/report/render-aspect-chart
 * The report's per-aspect chart: one row per aspect (and overall), one bar
 * per variant on the 1–5 scale, with the 95 % interval as a whisker. Inline
 * SVG, no script.
 */
import type { VariantSummary } from "../offline/ab-results.js";
import { escapeHtml } from "../../report-page/escape-html.js";
import { judgeAspects } from "../judge/judge-aspects.js";

/** Variant colours, in variant order (repeating). */
export const variantColours = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];

export function renderAspectChart(variants: readonly VariantSummary[]): string {
  const aspects = [...judgeAspects, "overall" as const];
  const barHeight = 12;
  const rowHeight = variants.length * (barHeight + 2) + 14;
  const left = 110;
  const plotWidth = 420;
  const width = left + plotWidth + 60;
  const legendHeight = 22;
  const height = legendHeight + aspects.length * rowHeight + 24;
  const x = (score: number) => left + ((Math.min(5, Math.max(1, score)) - 1) / 4) * plotWidth;
  const parts: string[] = [];
  variants.forEach((variant, index) => {
    const colour = variantColours[index % variantColours.length]!;
    parts.push(`<rect x="${left + index * 170}" y="4" width="10" height="10" fill="${colour}"/><text x="${left + index * 170 + 14}" y="13" class="legend">${escapeHtml(variant.variant)}</text>`);
  });
  for (let score = 1; score <= 5; score += 1) {
    parts.push(
      `<line x1="${x(score)}" x2="${x(score)}" y1="${legendHeight}" y2="${height - 20}" class="grid"/><text x="${x(score)}" y="${height - 6}" text-anchor="middle" class="axis">${score}</text>`,
    );
  }
  aspects.forEach((aspect, row) => {
    const top = legendHeight + row * rowHeight + 6;
    parts.push(`<text x="${left - 8}" y="${top + rowHeight / 2}" text-anchor="end" class="label${aspect === "overall" ? " overall" : ""}">${aspect}</text>`);
    variants.forEach((variant, index) => {
      const interval = variant.aspects[aspect];
      const y = top + index * (barHeight + 2);
      const colour = variantColours[index % variantColours.length]!;
      if (interval.value === null) {
        parts.push(`<text x="${left + 4}" y="${y + barHeight - 2}" class="axis">no scores</text>`);
        return;
      }
      parts.push(
        `<rect x="${left}" y="${y}" width="${(x(interval.value) - left).toFixed(1)}" height="${barHeight}" fill="${colour}"><title>${escapeHtml(variant.variant)} ${aspect}: ${interval.value.toFixed(2)}${interval.low !== null && interval.high !== null ? ` [${interval.low.toFixed(2)}–${interval.high.toFixed(2)}]` : ""} (n = ${interval.n})</title></rect>`,
      );
      if (interval.low !== null && interval.high !== null) {
        const middle = y + barHeight / 2;
        parts.push(
          `<path d="M${x(interval.low).toFixed(1)} ${middle}H${x(interval.high).toFixed(1)}M${x(interval.low).toFixed(1)} ${y + 2}V${y + barHeight - 2}M${x(interval.high).toFixed(1)} ${y + 2}V${y + barHeight - 2}" class="whisker"/>`,
        );
      }
      parts.push(`<text x="${x(interval.value) + 4 + (interval.high !== null ? x(interval.high) - x(interval.value) : 0)}" y="${y + barHeight - 2}" class="value">${interval.value.toFixed(2)}</text>`);
    });
  });
  return `<svg class="aspect-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Mean aspect scores per variant with 95 % intervals">${parts.join("")}</svg>`;
}
