/**
 * @module engine/token-text-decoder
 * Decodes generated tokens one at a time so that the pieces concatenate to
 * exactly the decoded output: a token that holds only part of a UTF-8
 * character yields "" until the character is complete, and spacing is
 * decoded with the preceding tokens as context (SentencePiece's "▁").
 */

/** The part of a tokenizer the decoder needs. */
export interface Detokenizer {
  detokenize(tokens: readonly number[], specialTokens: boolean, lastTokens: readonly number[]): string;
}

/** How many tokens a character can be split over before we give up waiting (UTF-8: at most 4 bytes). */
const maxPendingTokens = 4;
const contextTokens = 8;

export class TokenTextDecoder {
  readonly #tokenizer: Detokenizer;
  readonly #history: number[];
  #pending: number[] = [];

  /** `previous`: the tokens before the first one to decode (the prompt), for spacing. */
  constructor(tokenizer: Detokenizer, previous: readonly number[]) {
    this.#tokenizer = tokenizer;
    this.#history = previous.slice(-contextTokens);
  }

  /** Adds a token; returns the text it completes ("" while a character is still partial). */
  push(token: number): string {
    this.#pending.push(token);
    const text = this.#tokenizer.detokenize(this.#pending, false, this.#history);
    if (text.endsWith("\uFFFD") && this.#pending.length < maxPendingTokens) return "";
    return this.#commit(text);
  }

  /** Text still held for an incomplete character (decoded as is). */
  flush(): string {
    if (this.#pending.length === 0) return "";
    return this.#commit(this.#tokenizer.detokenize(this.#pending, false, this.#history));
  }

  /** Decodes one token in the current context (for alternatives in logprobs). */
  peek(token: number): string {
    return this.#tokenizer.detokenize([token], false, [...this.#history, ...this.#pending].slice(-contextTokens));
  }

  #commit(text: string): string {
    this.#history.push(...this.#pending);
    if (this.#history.length > contextTokens) this.#history.splice(0, this.#history.length - contextTokens);
    this.#pending = [];
    return text;
  }
}
