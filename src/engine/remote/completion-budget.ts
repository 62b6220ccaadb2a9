/**
 * @module engine/remote/completion-budget
 * `max_tokens`, enforced here whatever the upstream does: an upstream that
 * ignores the limit (or sends one huge chunk) is cut once the answer has as
 * many tokens as asked, or as many characters as that many tokens can spell
 * (`maxCharsPerToken` each: longer than any token of the vocabularies we
 * know). Tokens are counted as the upstream's chunks (one token each, as
 * llama-server and vLLM stream them), or as its logprob tokens when it sends
 * them. Pure.
 */

/** Characters one token may spell, at most (long runs of spaces or dashes in code vocabularies reach ~128). */
export const maxCharsPerToken = 128;

/** What of a piece fits: its text (maybe shortened) and whether the budget is now spent. */
export interface BudgetShare {
  text: string;
  /** True when this piece (or its end) was cut, or the budget is exactly spent: read no more. */
  exhausted: boolean;
}

/** The budget of one generation. */
export class CompletionBudget {
  readonly #maxTokens: number;
  readonly #maxChars: number;
  #tokens = 0;
  #chars = 0;

  constructor(maxTokens: number) {
    this.#maxTokens = maxTokens;
    this.#maxChars = maxTokens * maxCharsPerToken;
  }

  /** Tokens taken so far. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Takes one token's text; undefined when the budget had nothing left for it. */
  take(text: string): BudgetShare | undefined {
    if (this.#tokens >= this.#maxTokens || this.#chars >= this.#maxChars) return undefined;
    this.#tokens += 1;
    const room = this.#maxChars - this.#chars;
    // Never split a UTF-16 surrogate pair when shortening.
    const kept = text.length <= room ? text : text.slice(0, isHighSurrogate(text.charCodeAt(room - 1)) ? room - 1 : room);
    // A cut piece spends the budget, even when a surrogate pair left a character unused.
    this.#chars = kept.length < text.length ? this.#maxChars : this.#chars + kept.length;
    return { text: kept, exhausted: kept.length < text.length || this.#tokens >= this.#maxTokens || this.#chars >= this.#maxChars };
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
