/**
 * @module ab/online/outcome-entry
 * The lines of the experiments' outcome log: one `request` line per request
 * of an experiment, one `feedback` line per vote. Pure: built from the
 * request's record and its assignment. The request's text (messages and
 * answers) is in a line only when text logging is on.
 */
import { createHash } from "node:crypto";
import type { RequestRecord } from "../../telemetry/request-record.js";

/** One request of an experiment, as logged. */
export interface RequestOutcome {
  type: "request";
  /** When the request arrived (ISO 8601). */
  time: string;
  request_id: string;
  experiment: string;
  variant: string;
  variant_hash: string;
  /** `user`, `header:<name>`, `random` or `override` (the `x-urial-variant` header). */
  assigned_by: string;
  model: string;
  /** `<set>@<version>` the variant rendered. */
  exemplar_set: string;
  /** sha256 of the request's messages (16 hex): groups repeated prompts without keeping their text. */
  prompt_hash: string;
  status: number;
  stream: boolean;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_tokens: number | null;
  /** Characters of answer text the client got (all choices). */
  answer_chars: number;
  /** Milliseconds from arrival to the first generated token; null when none was generated. */
  ttft_ms: number | null;
  /** Milliseconds from arrival to the last byte of the response. */
  latency_ms: number;
  /** The first choice's finish reason; null when the request failed before one. */
  finish_reason: "stop" | "length" | null;
  /** What cut the first choice's text (`stop`, `block`, `leak`, `repetition`), null when the model ended it. */
  cut: string | null;
  choices: number;
  /** The error code the client got, if any. */
  error: string | null;
  /** With text logging only: the request's messages. */
  messages?: unknown;
  /** With text logging only: each choice's answer text. */
  output?: string[];
}

/** A user's vote on a logged request. */
export interface FeedbackOutcome {
  type: "feedback";
  time: string;
  request_id: string;
  experiment: string;
  variant: string;
  variant_hash: string;
  /** 1 thumbs up, -1 thumbs down; null: not rated (only a preference). */
  rating: 1 | -1 | null;
  /** True: this answer was preferred over another one the user saw; null: no preference given. */
  preferred: boolean | null;
}

export type OutcomeEntry = RequestOutcome | FeedbackOutcome;

/** What the experiment side knows about a request (the rest comes from its record). */
export interface OutcomeContext {
  experiment: string;
  variant: string;
  variantHash: string;
  assignedBy: string;
  exemplarSet: string;
  promptHash: string;
  answerChars: number;
  /** Present only when text logging is on. */
  text?: { messages: unknown; output: string[] };
}

/** The `request` line for a finished request. */
export function toRequestOutcome(record: RequestRecord, context: OutcomeContext): RequestOutcome {
  const first = record.finishes[0];
  return {
    type: "request",
    time: new Date(record.startedAt).toISOString(),
    request_id: record.requestId,
    experiment: context.experiment,
    variant: context.variant,
    variant_hash: context.variantHash,
    assigned_by: context.assignedBy,
    model: record.model ?? "",
    exemplar_set: context.exemplarSet,
    prompt_hash: context.promptHash,
    status: record.status ?? 0,
    stream: record.stream === true,
    prompt_tokens: record.usage?.promptTokens ?? null,
    completion_tokens: record.usage?.completionTokens ?? null,
    cached_tokens: record.usage?.cachedTokens ?? null,
    answer_chars: context.answerChars,
    ttft_ms: record.firstTokenAtMs === undefined ? null : roundMs(record.firstTokenAtMs - record.startedAtMs),
    latency_ms: roundMs((record.endedAtMs ?? record.startedAtMs) - record.startedAtMs),
    finish_reason: first?.reason ?? null,
    cut: first?.cut ?? null,
    choices: record.finishes.length,
    error: record.error === undefined ? null : (record.error.code ?? record.error.type),
    ...(context.text !== undefined ? { messages: context.text.messages, output: context.text.output } : {}),
  };
}

/** sha256 (16 hex) of a request's messages, roles and contents only. */
export function hashPrompt(messages: readonly { role: string; content?: unknown }[]): string {
  const canonical = JSON.stringify(messages.map((message) => [message.role, message.content ?? null]));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
