/**
 * @module engine/remote/token-count
 * How a remote engine counts a prompt's tokens. Exactly, when the upstream
 * has a `/tokenize` endpoint (llama-server and urial take `{"content"}`, vLLM
 * takes `{"model", "prompt"}`; found once at start-up). Otherwise by an
 * estimate of one token per 4 bytes of UTF-8, typical of English text in
 * BPE vocabularies (code and other scripts take more tokens per byte), and
 * the upstream's own `usage` replaces it once the stream ends.
 */
import { LRUCache } from "lru-cache";
import { createHash } from "node:crypto";
import { z } from "zod";
import { UpstreamError } from "../engine.js";
import type { UpstreamClient } from "./upstream-client.js";

export type TokenizerMode = "auto" | "upstream" | "estimate";

/** Counts the tokens of a prompt as the upstream will. */
export interface TokenCounter {
  /** `upstream-content` / `upstream-prompt`: the upstream's /tokenize in that dialect; `estimate`: bytes / 4. */
  readonly kind: "upstream-content" | "upstream-prompt" | "estimate";
  count(text: string, signal?: AbortSignal): Promise<number>;
}

/** The estimate: one token per 4 bytes of UTF-8, at least 1. */
export function estimateTokenCount(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, "utf8") / 4));
}

/**
 * A deliberately low count (one token per 32 bytes of UTF-8, at least 1)
 * for checks made before the exact count is known, so they never refuse a
 * prompt that fits.
 */
export function lowTokenEstimate(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, "utf8") / 32));
}

const tokenizeAnswer = z.looseObject({ tokens: z.array(z.union([z.number(), z.looseObject({ id: z.number() })])) });

const probeText = "Hello, world";

/**
 * Largest `/tokenize` answer accepted for a text of `bytes` UTF-8 bytes: a
 * token spells at least one byte, and each id takes at most ~24 bytes of JSON
 * (vLLM adds a few fields); so a bigger answer is not a token list of this text.
 */
export function maxTokenizeAnswerBytes(bytes: number): number {
  return 64 * 1024 + 24 * (bytes + 16);
}

/** Finds how the upstream tokenizes (`auto` falls back to the estimate; `upstream` insists). */
export async function probeTokenCounter(client: UpstreamClient, model: string, mode: TokenizerMode, signal?: AbortSignal): Promise<TokenCounter> {
  if (mode === "estimate") return { kind: "estimate", count: async (text) => estimateTokenCount(text) };
  for (const dialect of ["upstream-content", "upstream-prompt"] as const) {
    const answer = await client.postJson("/tokenize", requestBody(dialect, model, probeText), signal, maxTokenizeAnswerBytes(probeText.length)).catch((error: unknown) => {
      // A server that does not know this dialect answers 400/422: try the next one.
      if (error instanceof UpstreamError && error.failure === "status") return undefined;
      throw error;
    });
    if (tokenizeAnswer.safeParse(answer).success) return upstreamCounter(client, model, dialect);
  }
  if (mode === "upstream") throw new UpstreamError("protocol", `${client.url.root}/tokenize is not available (neither llama-server's nor vLLM's form)`);
  return { kind: "estimate", count: async (text) => estimateTokenCount(text) };
}

function requestBody(dialect: "upstream-content" | "upstream-prompt", model: string, text: string) {
  return dialect === "upstream-content" ? { content: text, add_special: true } : { model, prompt: text, add_special_tokens: true };
}

function upstreamCounter(client: UpstreamClient, model: string, dialect: "upstream-content" | "upstream-prompt"): TokenCounter {
  // Keyed by the text's hash; the same prompt comes again for n > 1 and retries.
  const counts = new LRUCache<string, number>({ max: 256 });
  return {
    kind: dialect,
    async count(text, signal) {
      const key = createHash("sha256").update(text).digest("base64");
      const known = counts.get(key);
      if (known !== undefined) return known;
      const answer = tokenizeAnswer.safeParse(await client.postJson("/tokenize", requestBody(dialect, model, text), signal, maxTokenizeAnswerBytes(Buffer.byteLength(text, "utf8"))));
      if (!answer.success) throw new UpstreamError("protocol", "/tokenize did not answer with a token list");
      counts.set(key, answer.data.tokens.length);
      return answer.data.tokens.length;
    },
  };
}
