// @ts-check
/**
 * @module playground/chat-answer
 * One streamed chat answer as state: the text so far, how it ended, its usage
 * and timing. `applyChunk` folds a `chat.completion.chunk` into it (the
 * OpenAI stream contract: role in the first delta, finish_reason in the last,
 * usage in a last chunk without choices). Pure.
 */

/**
 * @typedef {{ prompt_tokens: number, completion_tokens: number, total_tokens: number, prompt_tokens_details?: { cached_tokens?: number } }} Usage
 * @typedef {{
 *   content: string,
 *   finishReason: string | null,
 *   stopReason: string | null,
 *   usage: Usage | null,
 *   fingerprint: string | null,
 *   experiment: { id: string, variant: string } | null,
 *   startedAt: number,
 *   firstTokenAt: number | null,
 *   endedAt: number | null,
 * }} AnswerState
 */

/**
 * @param {number} startedAt milliseconds (performance.now())
 * @returns {AnswerState}
 */
export function emptyAnswer(startedAt) {
  return { content: "", finishReason: null, stopReason: null, usage: null, fingerprint: null, experiment: null, startedAt, firstTokenAt: null, endedAt: null };
}

/**
 * The state after `chunk`, received at `now`.
 * @param {AnswerState} state
 * @param {any} chunk
 * @param {number} now
 * @returns {AnswerState}
 */
export function applyChunk(state, chunk, now) {
  const next = { ...state };
  if (typeof chunk?.system_fingerprint === "string") next.fingerprint = chunk.system_fingerprint;
  if (chunk?.urial_experiment && typeof chunk.urial_experiment.id === "string") next.experiment = chunk.urial_experiment;
  if (chunk?.usage) next.usage = chunk.usage;
  const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
  if (choice) {
    const text = typeof choice.delta?.content === "string" ? choice.delta.content : "";
    if (text.length > 0) {
      next.content = state.content + text;
      next.firstTokenAt ??= now;
    }
    if (typeof choice.finish_reason === "string") {
      next.finishReason = choice.finish_reason;
      next.stopReason = typeof choice.stop_reason === "string" ? choice.stop_reason : null;
    }
  }
  return next;
}

/**
 * One line about an answer: tokens, cached tokens, time to first token, total time, how it ended.
 * @param {AnswerState} state
 * @returns {string}
 */
export function describeAnswer(state) {
  /** @type {string[]} */
  const parts = [];
  if (state.usage) {
    parts.push(`${state.usage.prompt_tokens} prompt tokens (${state.usage.prompt_tokens_details?.cached_tokens ?? 0} cached)`);
    parts.push(`${state.usage.completion_tokens} answer tokens`);
  }
  if (state.firstTokenAt !== null) parts.push(`first token ${formatSeconds(state.firstTokenAt - state.startedAt)}`);
  if (state.endedAt !== null) parts.push(`total ${formatSeconds(state.endedAt - state.startedAt)}`);
  if (state.finishReason === "length") parts.push("cut at max tokens");
  else if (state.stopReason === "stopped") parts.push("stopped");
  return parts.join(" · ");
}

/**
 * @param {number} ms
 * @returns {string}
 */
export function formatSeconds(ms) {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
