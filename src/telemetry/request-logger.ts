/**
 * @module telemetry/request-logger
 * Writes one line per finished request: JSON, or the short human form on a
 * terminal. `/health` and `/metrics` are logged only when they fail other
 * than with "loading" (probes and scrapers would drown everything else).
 */
import { formatJsonLine, formatPrettyLine, toRequestLogEntry } from "./format-request-log.js";
import type { RequestRecord } from "./request-record.js";

export type LogFormat = "json" | "pretty";

export interface RequestLoggerOptions {
  format: LogFormat;
  /** Include each request's messages or prompts. Defaults to false. */
  includePrompts?: boolean;
  /** Receives each line, without its newline. */
  write: (line: string) => void;
}

/** A function to call with each finished request. */
export function createRequestLogger(options: RequestLoggerOptions): (record: RequestRecord) => void {
  const format = options.format === "json" ? formatJsonLine : formatPrettyLine;
  return function logRequest(record: RequestRecord): void {
    const status = record.status ?? 0;
    // Probes poll /health (503 while the model loads) and scrapers /metrics: log only their real failures.
    if ((record.route === "/health" || record.route === "/metrics") && (status < 400 || status === 503)) return;
    options.write(format(toRequestLogEntry(record, { includePrompts: options.includePrompts === true })));
  };
}
