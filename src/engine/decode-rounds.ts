/**
 * @module engine/decode-rounds
 * Keeps the sequences that decode at once in step, so that each decode batch
 * holds one token of every one of them.
 *
 * Why: node-llama-cpp batches the tokens queued on a context, but after a
 * batch its dispatch loop runs again at once with whatever is queued by then.
 * Each sequence samples its token separately (an asynchronous native call)
 * and then goes through its consumer before queueing the next token, so the
 * sequences that sampled first are decoded in a batch of their own while the
 * others are still on their way: the batches fall apart into ones and twos,
 * and N streams decode no faster than one (measured on an H200 through
 * Vulkan: 8 streams 280 tok/s in all, one stream 287). See docs/engine-notes.md.
 *
 * Rule: a sequence that has its token waits until every sequence whose next
 * token is being computed has its own, then all go on together and queue
 * their next tokens in the same turn of the event loop. A sequence whose
 * consumer is slow (a client not reading) is not waited for: it counts only
 * while it waits for a token. A wait ends after `maxHoldMs` whatever happens,
 * so a late sequence can never stall the others for longer than that.
 */

export interface DecodeRoundsOptions {
  /** The longest a sequence waits for the others, in ms. Defaults to 20. */
  maxHoldMs?: number;
  /**
   * Told, each time a sequence starts computing a token, how many are
   * computing one now: those that start in one turn of the event loop share
   * the next decode batch, so the last figure of a turn is its width.
   */
  onWidth?: (sequences: number) => void;
}

export class DecodeRounds {
  readonly #maxHoldMs: number;
  readonly #onWidth: ((sequences: number) => void) | undefined;
  /** Sequences whose next token is being computed. */
  #computing = 0;
  /** Sequences that have their token and wait for the rest. */
  #held: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #rounds = 0;
  #expired = 0;

  constructor(options: DecodeRoundsOptions = {}) {
    const maxHoldMs = options.maxHoldMs ?? 20;
    if (!Number.isFinite(maxHoldMs) || maxHoldMs < 0) throw new RangeError(`maxHoldMs must be a number ≥ 0, got ${maxHoldMs}`);
    this.#maxHoldMs = maxHoldMs;
    this.#onWidth = options.onWidth;
  }

  /** Sequences whose next token is being computed now (for tests and status). */
  get computing(): number {
    return this.#computing;
  }

  /** Sequences holding a token while they wait for the others. */
  get holding(): number {
    return this.#held.length;
  }

  /** Rounds completed so far, and how many of them ended at `maxHoldMs` rather than with every token in. */
  get counts(): { rounds: number; expired: number } {
    return { rounds: this.#rounds, expired: this.#expired };
  }

  /**
   * Computes one token through `next` (a sequence's pull of its next token)
   * and returns it once the round is complete. A failure is passed on at once.
   */
  async step<T>(next: () => Promise<T>): Promise<T> {
    this.#computing += 1;
    this.#onWidth?.(this.#computing);
    let result: T;
    try {
      result = await next();
    } catch (error) {
      this.#computing -= 1;
      if (this.#computing === 0) this.#release();
      throw error;
    }
    this.#computing -= 1;
    if (this.#computing === 0) {
      this.#release();
      return result;
    }
    await new Promise<void>((resolve) => {
      this.#held.push(resolve);
      this.#timer ??= setTimeout(() => {
        this.#expired += 1;
        this.#release();
      }, this.#maxHoldMs);
    });
    return result;
  }

  #release(): void {
    if (this.#held.length > 0) this.#rounds += 1;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const held = this.#held;
    this.#held = [];
    for (const resolve of held) resolve();
  }
}
