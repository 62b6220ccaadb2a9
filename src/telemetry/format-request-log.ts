/**
 * @module telemetry/format-request-log
 * One log line per request, from its record: a JSON object for machines, or
 * a short line for a person at a terminal. Pure. Prompt text appears only
 * when asked for; API keys never do (the record holds none).
 */
import type { RequestRecord } from "./request-record.js";

/** The fields of one request log line. */
export interface RequestLogEntry {
  time: string;
  level: "info" | "warn" | "error";
  msg: "request";
  request_id: string;
  method: string;
  path: string;
  route: string;
  status: number;
  model: string | null;
  variant: string | null;
  stream: boolean | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_tokens: number | null;
  /** Milliseconds to the first generated token, when one was generated. */
  ttft_ms: number | null;
  duration_ms: number;
  finish_reasons?: string[];
  /** Why the request was stopped before its answer was complete: client_disconnected, timeout or shutdown. */
  aborted?: string;
  error?: { type: string; code: string | null; message: string; in_stream: boolean };
  /** The request's messages or prompts: only with prompt logging on. */
  prompt?: unknown;
}

export interface LogEntryOptions {
  /** Include the request's text. Defaults to false. */
  includePrompts?: boolean;
}

/** Longest path kept in a log line (hostile paths can be long). */
const maxPathLength = 200;

/** The log entry of a finished request. */
export function toRequestLogEntry(record: RequestRecord, options: LogEntryOptions = {}): RequestLogEntry {
  const status = record.status ?? 0;
  const entry: RequestLogEntry = {
    time: new Date(record.startedAt).toISOString(),
    level: status >= 500 || (record.streamError === true && record.error !== undefined) ? "error" : status >= 400 || record.aborted !== undefined ? "warn" : "info",
    msg: "request",
    request_id: record.requestId,
    method: record.method,
    path: record.path.length > maxPathLength ? `${record.path.slice(0, maxPathLength)}…` : record.path,
    route: record.route,
    status,
    model: record.model ?? null,
    variant: record.variant ?? null,
    stream: record.stream ?? null,
    prompt_tokens: record.usage?.promptTokens ?? null,
    completion_tokens: record.usage?.completionTokens ?? null,
    cached_tokens: record.usage?.cachedTokens ?? null,
    ttft_ms: record.firstTokenAtMs === undefined ? null : round(record.firstTokenAtMs - record.startedAtMs),
    duration_ms: round((record.endedAtMs ?? record.startedAtMs) - record.startedAtMs),
  };
  if (record.finishes.length > 0) entry.finish_reasons = record.finishes.map((finish) => (finish.cut === null ? finish.reason : `${finish.reason}:${finish.cut}`));
  if (record.aborted !== undefined) entry.aborted = record.aborted;
  if (record.error) entry.error = { ...record.error, in_stream: record.streamError === true };
  if (options.includePrompts === true && record.input !== undefined) entry.prompt = record.input;
  return entry;
}

/** The JSON line (no trailing newline). */
export function formatJsonLine(entry: RequestLogEntry): string {
  return JSON.stringify(entry);
}

/** A line for a person: `12:04:05 POST /v1/chat/completions 200 urial · 312+24 tok (300 cached) · ttft 45 ms · 120 ms · req_…`. */
export function formatPrettyLine(entry: RequestLogEntry): string {
  const parts = [`${entry.time.slice(11, 19)} ${entry.method} ${printable(entry.path)} ${entry.status}${entry.model ? ` ${printable(entry.model)}` : ""}`];
  if (entry.prompt_tokens !== null || entry.completion_tokens !== null) {
    parts.push(`${entry.prompt_tokens ?? 0}+${entry.completion_tokens ?? 0} tok (${entry.cached_tokens ?? 0} cached)`);
  }
  if (entry.ttft_ms !== null) parts.push(`ttft ${entry.ttft_ms} ms`);
  parts.push(`${entry.duration_ms} ms`);
  if (entry.finish_reasons) parts.push(entry.finish_reasons.join(","));
  if (entry.aborted !== undefined) parts.push(`ABORTED (${entry.aborted.replace(/_/g, " ")})`);
  if (entry.error) parts.push(`${entry.error.in_stream ? "stream error" : "error"} ${entry.error.code ?? entry.error.type}: ${printable(entry.error.message)}`);
  parts.push(entry.request_id);
  let line = parts.join(" · ");
  if (entry.prompt !== undefined) line += `\n  prompt: ${printable(JSON.stringify(entry.prompt))}`;
  return line;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Control characters shown escaped, so a hostile path or model name cannot forge log lines. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
