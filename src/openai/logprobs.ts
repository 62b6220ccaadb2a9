/**
 * @module openai/logprobs
 * Token log-probabilities in the two wire shapes: chat (`content` entries with
 * `top_logprobs`) and legacy completions (parallel arrays).
 */
import type { GeneratedToken } from "../engine/engine.js";

export interface ChatLogprobEntry {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

export function toChatLogprobEntries(tokens: readonly GeneratedToken[]): ChatLogprobEntry[] {
  return tokens.map((token) => ({
    token: token.text,
    logprob: token.logprob,
    bytes: token.bytes,
    top_logprobs: token.top.map((choice) => ({ token: choice.text, logprob: choice.logprob, bytes: choice.bytes })),
  }));
}

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[];
  text_offset: number[];
}

/** Legacy shape; `offset` is where the first token's text starts in the choice's text. */
export function toCompletionLogprobs(tokens: readonly GeneratedToken[], offset: number): CompletionLogprobs {
  const result: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let position = offset;
  for (const token of tokens) {
    result.tokens.push(token.text);
    result.token_logprobs.push(token.logprob);
    const top: Record<string, number> = {};
    for (const choice of token.top) if (!(choice.text in top)) top[choice.text] = choice.logprob;
    result.top_logprobs.push(top);
    result.text_offset.push(position);
    position += token.text.length;
  }
  return result;
}
