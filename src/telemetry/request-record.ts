/**
 * @module telemetry/request-record
 * What the server observes about one request, as data: filled in by the
 * request lifecycle middleware and the routes, read by the request log and
 * the metrics when the response (a stream included) has ended.
 */
import { performance } from "node:perf_hooks";
import type { AbortCause } from "./abort-cause.js";

/** Token counts of a request so far (the routes' usage object, shared live). */
export interface RecordedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** One choice's ending. */
export interface RecordedFinish {
  reason: "stop" | "length";
  /** What cut the text, when the server did: a client stop string (`stop`) or a hygiene rule; null when the model ended. */
  cut: "stop" | "block" | "leak" | "repetition" | null;
}

/** An error the client got, in its OpenAI shape (never a key, never prompt text beyond what the message says). */
export interface RecordedError {
  type: string;
  code: string | null;
  message: string;
}

export interface RequestRecord {
  requestId: string;
  /** The id of the completion the server answered with (`chatcmpl-…`): chosen by the server, so votes are keyed by it. */
  responseId?: string;
  method: string;
  /** The request path as sent. */
  path: string;
  /** The route it matched, from a fixed list (`other` for anything else): a bounded metrics label. */
  route: string;
  /** Wall-clock start (ms since the epoch). */
  startedAt: number;
  /** Monotonic start (`performance.now()`). */
  startedAtMs: number;
  /** The model id, once the request named one this server has. */
  model?: string;
  /** The exemplar set (A/B variant) the request ran, `base` for raw completions. */
  variant?: string;
  stream?: boolean;
  usage?: RecordedUsage;
  /** Monotonic time of the first generated token. */
  firstTokenAtMs?: number;
  finishes: RecordedFinish[];
  /** The request's text (messages or prompts); logged only when prompt logging is on. */
  input?: unknown;
  /** HTTP status sent (a stream that failed after it began keeps its 200). */
  status?: number;
  /** The error the client got, in the body or as a stream error event. */
  error?: RecordedError;
  /** True when the error arrived inside a stream that had begun. */
  streamError?: boolean;
  /** Set when the request was stopped before its answer was complete, with the cause. */
  aborted?: AbortCause;
  /** Monotonic end: when the response, a stream's last byte included, was done. */
  endedAtMs?: number;
}

const knownRoutes: readonly (readonly [string, RegExp])[] = [
  ["/v1/chat/completions", /^\/v1\/chat\/completions$/],
  ["/v1/completions", /^\/v1\/completions$/],
  ["/v1/models", /^\/v1\/models$/],
  ["/v1/models/{id}", /^\/v1\/models\/.+$/],
  ["/v1/shift", /^\/v1\/shift$/],
  ["/v1/chat/prompt", /^\/v1\/chat\/prompt$/],
  ["/v1/exemplar-sets", /^\/v1\/exemplar-sets$/],
  ["/v1/votes", /^\/v1\/votes$/],
  ["/tokenize", /^\/tokenize$/],
  ["/apply-template", /^\/apply-template$/],
  ["/health", /^\/health$/],
  ["/metrics", /^\/metrics$/],
];

/** The route label of a path: one of the server's routes, or `other`. */
export function routeOf(path: string): string {
  for (const [label, pattern] of knownRoutes) if (pattern.test(path)) return label;
  return "other";
}

/** A fresh record for a request that has just arrived. */
export function startRecord(requestId: string, method: string, path: string): RequestRecord {
  return {
    requestId,
    method,
    path,
    route: routeOf(path),
    startedAt: Date.now(),
    startedAtMs: performance.now(),
    finishes: [],
  };
}
