/**
 * @module engine/remote/completion-chunk
 * One event of an upstream's `/v1/completions` stream, read leniently (vLLM,
 * llama-server, TGI and urial differ in the fields they add) but checked
 * where it matters: the text, the finish reason, the usage, the legacy
 * logprobs, or an error object. Pure.
 */
import { z } from "zod";

const usageSchema = z.looseObject({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().min(0).nullish() }).nullish(),
});

const logprobsSchema = z.looseObject({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
});

const chunkSchema = z.looseObject({
  choices: z.array(
    z.looseObject({
      index: z.number().int().nullish(),
      text: z.string().nullish(),
      finish_reason: z.string().nullish(),
      // Read separately: a server with another logprobs shape still streams text.
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: usageSchema.nullish(),
});

const errorSchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string().nullish(), code: z.unknown().optional(), type: z.unknown().optional() })]),
});

export interface UpstreamUsage {
  promptTokens: number;
  completionTokens: number;
  /** Null when the upstream did not say. */
  cachedTokens: number | null;
}

export interface UpstreamToken {
  text: string;
  logprob: number;
  top: { text: string; logprob: number }[];
}

export type ParsedChunk =
  | {
      type: "chunk";
      /** The choice's text in this event ("" when none). */
      text: string;
      /** Set on the last event of the choice. */
      finishReason: string | null;
      usage: UpstreamUsage | null;
      /** The tokens of `text` with their logprobs, when the upstream sent them. */
      tokens: UpstreamToken[] | null;
    }
  | { type: "error"; message: string };

/** Reads one `data:` payload (not `[DONE]`); undefined when it is not a completions chunk at all. */
export function parseCompletionChunk(payload: string): ParsedChunk | undefined {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const error = errorSchema.safeParse(json);
  if (error.success) {
    const detail = error.data.error;
    return { type: "error", message: typeof detail === "string" ? detail : (detail.message ?? JSON.stringify(detail)) };
  }
  const parsed = chunkSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const choice = parsed.data.choices[0];
  const usage = parsed.data.usage;
  return {
    type: "chunk",
    text: choice?.text ?? "",
    finishReason: choice?.finish_reason ?? null,
    usage: usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? null } : null,
    tokens: tokensOf(choice?.logprobs),
  };
}

function tokensOf(value: unknown): UpstreamToken[] | null {
  const parsed = logprobsSchema.safeParse(value);
  if (!parsed.success) return null;
  const logprobs = parsed.data;
  return logprobs.tokens.map((text, index) => ({
    text,
    logprob: logprobs.token_logprobs[index] ?? -9999,
    top: Object.entries(logprobs.top_logprobs?.[index] ?? {})
      .map(([alternative, logprob]) => ({ text: alternative, logprob }))
      .sort((a, b) => b.logprob - a.logprob),
  }));
}

/** The message of an upstream's JSON error body, or its text (shortened). */
export function upstreamErrorMessage(body: string): string {
  try {
    const parsed = errorSchema.safeParse(JSON.parse(body));
    if (parsed.success) {
      const detail = parsed.data.error;
      const message = typeof detail === "string" ? detail : detail.message;
      if (message) return shorten(message);
    }
  } catch {
    // Not JSON: fall through to the text.
  }
  const text = body.trim();
  return text.length === 0 ? "(empty body)" : shorten(text);
}

function shorten(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
