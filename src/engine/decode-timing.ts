/**
 * @module engine/decode-timing
 * Where the time of generated tokens goes, summed over an engine's life:
 * waiting for the next token (decode, sampling and the decode rounds, all
 * below the engine's generator) versus the time between handing a token on
 * and being asked for the next (the answer pipeline, the SSE writer, the
 * socket). Read through `Engine.status()` and `/metrics`; it answers "is it
 * the model or the proxy" when N streams do not scale.
 */

export interface DecodeStats {
  /** Tokens generated. */
  tokens: number;
  /** Seconds spent waiting for those tokens. */
  tokenWaitSeconds: number;
  /** Seconds between handing each token on and the request for the next. */
  consumerSeconds: number;
}

export class DecodeTiming {
  #tokens = 0;
  #waitMs = 0;
  #consumerMs = 0;

  /** Wraps one sequence's pull of tokens so its time is counted here. */
  meter<T extends { done?: boolean | undefined }>(pull: () => Promise<T>): () => Promise<T> {
    let handedOnAt: number | undefined;
    return async () => {
      const started = performance.now();
      if (handedOnAt !== undefined) this.#consumerMs += started - handedOnAt;
      const result = await pull();
      handedOnAt = performance.now();
      this.#waitMs += handedOnAt - started;
      if (result.done !== true) this.#tokens += 1;
      return result;
    };
  }

  stats(): DecodeStats {
    return { tokens: this.#tokens, tokenWaitSeconds: this.#waitMs / 1000, consumerSeconds: this.#consumerMs / 1000 };
  }
}
