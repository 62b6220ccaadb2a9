/**
 * @module bench/gpu/format-gpu-table
 * The GPU check's one table (markdown), from its measured rows. Pure.
 */

export interface GpuCheckRow {
  /** What was measured, e.g. "warm TTFT". */
  measure: string;
  /** The figure with its unit, or what went wrong. */
  value: string;
  note?: string;
}

export interface GpuCheckHeader {
  device: string;
  model: string;
  settings: string;
}

export function formatGpuTable(header: GpuCheckHeader, rows: readonly GpuCheckRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `## GPU check — ${cell(header.device)}`,
    "",
    `model: ${cell(header.model)}`,
    `settings: ${cell(header.settings)}`,
    "",
    "| measure | value | note |",
    "|---|---|---|",
    ...rows.map((row) => `| ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.note ?? "")} |`),
  ].join("\n");
}

/** "12.3 (11.9–13.0) unit" from samples: median (min–max). */
export function formatSamples(samples: readonly number[], unit: string, digits = 1): string {
  if (samples.length === 0) return "not measured";
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const spread = sorted.length > 1 ? ` (${sorted[0]!.toFixed(digits)}–${sorted[sorted.length - 1]!.toFixed(digits)})` : "";
  return `${median.toFixed(digits)}${spread} ${unit}`;
}

/** The median of samples (NaN when empty). */
export function medianOf(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
