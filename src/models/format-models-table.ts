/**
 * @module models/format-models-table
 * The `urial models` table, as text. Pure.
 */
import { formatBytes } from "./format-bytes.js";
import type { CacheListing } from "./list-cached-models.js";

/** `293K`, `135M`, `7.2B`. */
export function formatParameterCount(count: number): string {
  const steps: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, suffix] of steps) {
    if (count >= size) {
      const value = count / size;
      return `${value >= 10 ? Math.round(value) : Number(value.toFixed(1))}${suffix}`;
    }
  }
  return String(count);
}

/** One row per model (base or chat from the chat template), then a line per partial download. */
export function formatModelsTable(listing: CacheListing, modelsDir: string): string {
  if (listing.models.length === 0 && listing.partials.length === 0) {
    return `No models in ${modelsDir}. Fetch one with 'urial pull hf:<user>/<repo>/<file>.gguf' (or an https URL).\n`;
  }
  const header = ["NAME", "SIZE", "ARCH", "PARAMS", "CONTEXT", "KIND", "SOURCE"];
  const rows = listing.models.map((model) => {
    const summary = model.summary;
    if (!summary.ok) return [model.name, formatBytes(model.size), "?", "?", "?", "unreadable", `${model.source ?? "-"} (${summary.problem})`];
    const info = summary.value;
    return [
      model.name,
      formatBytes(model.size),
      info.architecture ?? "?",
      formatParameterCount(info.parameters),
      info.contextLength === undefined ? "?" : String(info.contextLength),
      info.hasChatTemplate ? "chat" : "base",
      model.source ?? "-",
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const lines = listing.models.length > 0 ? [line(header), ...rows.map(line)] : [`No models in ${modelsDir}.`];
  for (const partial of listing.partials) {
    lines.push(`partial download: ${partial.name} (${formatBytes(partial.size)}); the same 'urial pull' resumes it, 'urial models rm ${partial.name.replace(/\.ipull$/, "")}' deletes it`);
  }
  return `${lines.join("\n")}\n`;
}
