/**
 * @module shift/render-shift-charts
 * Inline SVG charts for the report (pure strings, no scripts): the split as
 * stacked bars (overall and by position bucket, zero-shot vs URIAL), and a
 * per-position curve for both contexts (mean KL, or mean base rank on a log
 * scale).
 */
import { escapeHtml } from "../report-page/escape-html.js";
import { formatCoordinate } from "../report-page/format-coordinate.js";
import { renderSplitBars, type SplitBarRow } from "./render-split-bars.js";
import type { PositionPoint, ShiftSummary } from "./shift-schema.js";

/** Line colours of the two contexts. */
export const contextColours = { zeroShot: "#3867a8", urial: "#c2571a" } as const;

/** Stacked 100 % bars: overall and each bucket, zero-shot and URIAL. */
export function renderSplitChart(summary: ShiftSummary): string {
  const rows: SplitBarRow[] = [
    { label: "zero-shot, all", split: summary.zeroShot.overall },
    { label: "URIAL, all", split: summary.urial.overall },
  ];
  summary.zeroShot.byBucket.forEach((bucket, index) => {
    rows.push({ label: `zero-shot, ${bucket.bucket}`, split: bucket });
    rows.push({ label: `URIAL, ${bucket.bucket}`, split: summary.urial.byBucket[index]! });
  });
  return renderSplitBars(rows, { labelWidth: 130, ariaLabel: "Split of answer tokens by base rank, zero-shot and URIAL", noteEmptyRows: true });
}

export type PositionMetric = "meanKl" | "meanRank";

/** A line per context over answer positions. */
export function renderPositionChart(points: readonly PositionPoint[], metric: PositionMetric): string {
  const width = 600;
  const height = 240;
  const left = 48;
  const right = 12;
  const top = 24;
  const bottom = 36;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const title = metric === "meanKl" ? "mean KL(chat ‖ base) by answer position, nats" : "mean base rank η by answer position (log scale)";
  if (points.length === 0) {
    return `<svg class="chart position-chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} 60" width="${width}" height="60"><text x="${left}" y="30" class="muted">no positions</text></svg>`;
  }
  const value = (point: PositionPoint, context: "zeroShot" | "urial") => (metric === "meanKl" ? point[context].meanKl : Math.log10(point[context].meanRank));
  const maxPosition = points[points.length - 1]!.position;
  const maxValue = Math.max(metric === "meanKl" ? 0.1 : 1, ...points.flatMap((point) => [value(point, "zeroShot"), value(point, "urial")]));
  const xOf = (position: number) => left + (maxPosition <= 1 ? plotWidth / 2 : ((position - 1) / (maxPosition - 1)) * plotWidth);
  const yOf = (v: number) => top + plotHeight - (v / maxValue) * plotHeight;
  const parts: string[] = [];
  // Axes and ticks.
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" class="axis"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" class="axis"/>`);
  const yTicks =
    metric === "meanKl"
      ? [0, 0.25, 0.5, 0.75, 1].map((fraction) => ({ v: fraction * maxValue, label: (fraction * maxValue).toFixed(maxValue < 1 ? 2 : 1) }))
      : Array.from({ length: Math.floor(maxValue) + 1 }, (_, exponent) => ({ v: exponent, label: String(10 ** exponent) }));
  for (const tick of yTicks) {
    const y = formatCoordinate(yOf(tick.v));
    parts.push(`<line x1="${left - 4}" y1="${y}" x2="${left + plotWidth}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y}" dy="4" text-anchor="end">${tick.label}</text>`);
  }
  const xStep = Math.max(1, niceStep(maxPosition / 8));
  for (let position = 1; position <= maxPosition; position += position === 1 && xStep > 1 ? xStep - 1 : xStep) {
    const x = formatCoordinate(xOf(position));
    parts.push(`<line x1="${x}" y1="${top + plotHeight}" x2="${x}" y2="${top + plotHeight + 4}" class="axis"/><text x="${x}" y="${top + plotHeight + 16}" text-anchor="middle">${position}</text>`);
  }
  parts.push(`<text x="${left + plotWidth / 2}" y="${height - 4}" text-anchor="middle" class="muted">answer position</text>`);
  for (const context of ["zeroShot", "urial"] as const) {
    const path = points.map((point) => `${formatCoordinate(xOf(point.position))},${formatCoordinate(yOf(value(point, context)))}`).join(" ");
    parts.push(`<polyline class="line ${context}" fill="none" stroke="${contextColours[context]}" stroke-width="1.5" points="${path}"/>`);
  }
  parts.push(
    `<rect x="${left + 8}" y="6" width="12" height="3" fill="${contextColours.zeroShot}"/><text x="${left + 24}" y="11">zero-shot</text>` +
      `<rect x="${left + 100}" y="6" width="12" height="3" fill="${contextColours.urial}"/><text x="${left + 116}" y="11">URIAL</text>`,
  );
  return `<svg class="chart position-chart" data-metric="${metric}" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

/** 1, 2, 5, 10, 20, 50, … at least `raw`. */
function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * magnitude >= raw) return factor * magnitude;
  return 10 * magnitude;
}
