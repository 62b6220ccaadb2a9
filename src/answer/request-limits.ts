/**
 * @module answer/request-limits
 * What one request may ask of the server, beyond the body size (`maxBodyBytes`)
 * and the queue length (`maxQueue`), which are set where they are enforced.
 * Every limit has a default that a normal client never meets.
 */

export interface RequestLimits {
  /** Most messages in a chat request, and most prompts in a completions request. Defaults to 256. */
  maxMessages: number;
  /**
   * Most characters (JavaScript string length) of text in one request: all
   * message contents and names of a chat request, all prompts of a
   * completions request. Defaults to 200 000 (about 50 000 tokens; longer
   * never fits a context anyway, and tokenizing it would cost time).
   */
  maxInputChars: number;
  /** Ceiling on `max_tokens` / `max_completion_tokens`, and the budget when a request names none. Defaults to 2048. */
  maxTokens: number;
  /**
   * Wall-clock limit of one request in milliseconds, waiting in the queue
   * included: past it, generation is stopped, the sequence freed, and the
   * client gets 504 (or an error event on a stream). 0 disables it.
   * Defaults to 300 000 (5 minutes).
   */
  requestTimeoutMs: number;
}

/** The limits a server gets when its configuration names none. */
export const defaultRequestLimits: Readonly<RequestLimits> = {
  maxMessages: 256,
  maxInputChars: 200_000,
  maxTokens: 2048,
  requestTimeoutMs: 300_000,
};

/** `configured` over `defaultRequestLimits`: each limit left out takes its default. */
export function resolveRequestLimits(configured: Partial<RequestLimits> | undefined): RequestLimits {
  return { ...defaultRequestLimits, ...configured };
}
