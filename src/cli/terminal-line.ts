/**
 * @module cli/terminal-line
 * One status line redrawn in place, at any terminal width: the bar shrinks
 * (or goes) to leave room for the words, and the line is cut to the width so
 * it never wraps (a wrapped line cannot be redrawn with `\r`). A terminal that
 * reports no width (0 or none, as some CI pseudo-terminals do) counts as 80
 * columns. Also the rate and time-left wording the bars share. Pure.
 */

/** Columns to draw in: the terminal's, or 80 when it reports none. */
export function lineWidth(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : 80;
}

/**
 * The text to write for a status line: `\r`, the bar (when at least 4
 * cells are left for it beside `words`), the words cut to fit, and an
 * erase-to-end-of-line so a shorter line leaves no tail of the longer one.
 */
export function statusLine(options: { done: number; total: number; words: string; columns: number | undefined; prefix?: string; bar?: boolean }): string {
  const width = lineWidth(options.columns) - 1;
  const prefix = options.prefix ?? "";
  // Cells the bar may take: what is left beside the words, its brackets and a space, at most 24.
  const barWidth = Math.min(24, width - prefix.length - options.words.length - 3);
  const bar = barWidth >= 4 && options.bar !== false ? `${drawBar(options.done, options.total, barWidth)} ` : "";
  const line = `${prefix}${bar}${options.words}`;
  return `\r${[...line].slice(0, Math.max(1, width)).join("")}\x1b[K`;
}

function drawBar(done: number, total: number, inner: number): string {
  const filled = total <= 0 ? inner : Math.max(0, Math.min(inner, Math.round((done / total) * inner)));
  return `[${"█".repeat(filled)}${"░".repeat(inner - filled)}]`;
}

/** `12 s`, `3 min 05 s`, `1 h 02 min`: time left, rounded up to the second. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}
