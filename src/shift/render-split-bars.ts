/**
 * @module shift/render-split-bars
 * The split chart of the report pages (the shift analyser's and the exemplar
 * search's) as an inline SVG string: a legend of the three rank categories,
 * then one row per labelled split, a stacked 100 % bar with a tooltip per
 * category and its percentage inside where the bar is wide enough. Pure;
 * every label is HTML-escaped.
 */
import { escapeHtml } from "../report-page/escape-html.js";
import { formatCoordinate } from "../report-page/format-coordinate.js";
import { categoryColours } from "./category-colours.js";
import type { Split } from "./shift-schema.js";

export interface SplitBarRow {
  label: string;
  split: Split;
}

export interface SplitBarsOptions {
  /** Width of the label column left of the bars, in pixels. */
  labelWidth: number;
  /** The chart's accessible name (`aria-label`). */
  ariaLabel: string;
  /** Write "no positions" in a row whose split has none (otherwise it stays empty past its label). */
  noteEmptyRows: boolean;
}

const categories = ["unshifted", "marginal", "shifted"] as const;
const legendText = { unshifted: "unshifted (η = 1)", marginal: "marginal (η 2–3)", shifted: "shifted (η > 3)" } as const;
const barWidth = 460;
const rowHeight = 24;
const top = 28;
/** Narrower bars get no percentage inside (it would not fit). */
const minimumLabelledWidth = 34;

/** The chart of `rows`, top to bottom. */
export function renderSplitBars(rows: readonly SplitBarRow[], options: SplitBarsOptions): string {
  const { labelWidth } = options;
  const height = top + rows.length * rowHeight + 8;
  const parts: string[] = [];
  categories.forEach((category, index) => {
    const x = labelWidth + index * 130;
    parts.push(`<rect x="${x}" y="6" width="12" height="12" fill="${categoryColours[category]}"/><text x="${x + 17}" y="16">${legendText[category]}</text>`);
  });
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(row.label)} (${row.split.positions})</text>`);
    let x = labelWidth;
    for (const category of categories) {
      const share = row.split[`${category}Share`];
      if (share === null || share === 0) continue;
      const width = share * barWidth;
      parts.push(
        `<rect class="bar ${category}" x="${formatCoordinate(x)}" y="${y + 2}" width="${formatCoordinate(width)}" height="${rowHeight - 6}" fill="${categoryColours[category]}"><title>${escapeHtml(row.label)}: ${category} ${(share * 100).toFixed(1)} % (${row.split[category]} of ${row.split.positions})</title></rect>`,
      );
      if (width > minimumLabelledWidth) parts.push(`<text x="${formatCoordinate(x + width / 2)}" y="${y + 15}" text-anchor="middle" class="in-bar">${(share * 100).toFixed(0)}%</text>`);
      x += width;
    }
    if (options.noteEmptyRows && row.split.positions === 0) parts.push(`<text x="${labelWidth + 4}" y="${y + 15}" class="muted">no positions</text>`);
  });
  const width = labelWidth + barWidth + 10;
  return `<svg class="chart split-chart" role="img" aria-label="${escapeHtml(options.ariaLabel)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join("")}</svg>`;
}
