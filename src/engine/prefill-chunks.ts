/**
 * @module engine/prefill-chunks
 * How many prompt tokens the next prefill chunk takes.
 *
 * llama.cpp cannot stop a batch once it runs, so prompts are evaluated in
 * chunks with an abort check between them (../shared/ENGINE-NOTES.md). Small
 * chunks stop quickly but cost time: node-llama-cpp attaches no ggml
 * threadpool, so every call on more than one thread starts and joins its
 * workers, and on a 2-core VM a 2.9k-token prompt on two threads took 7.3 s
 * in chunks of 128 against 5.9 s in chunks of 512 (on one thread the size
 * made no difference). So chunks start at `min` and grow, in steps of
 * `step`, up to `max` (the context's batch size), as long as one chunk is
 * expected to take at most `sliceMs`: the time between abort checks stays
 * bounded on a slow machine and prefill runs in full batches on a fast one.
 * One instance per engine: it remembers the last measured rate.
 */

export interface PrefillChunkOptions {
  /** The first and smallest chunk, in tokens. */
  min: number;
  /** The largest chunk (the context's batch size). */
  max: number;
  /** The longest one chunk should take, in ms. */
  sliceMs: number;
  /** Chunk sizes are multiples of this (above `min`). Defaults to 64. */
  step?: number;
}

export class PrefillChunks {
  readonly #min: number;
  readonly #max: number;
  readonly #sliceMs: number;
  readonly #step: number;
  #size: number;

  constructor(options: PrefillChunkOptions) {
    const { min, max, sliceMs } = options;
    const step = options.step ?? 64;
    if (!Number.isInteger(min) || min < 1) throw new RangeError(`min must be a whole number ≥ 1, got ${min}`);
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number ≥ 1, got ${max}`);
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a whole number ≥ 1, got ${step}`);
    if (!(sliceMs > 0)) throw new RangeError(`sliceMs must be > 0, got ${sliceMs}`);
    this.#min = Math.min(min, max);
    this.#max = max;
    this.#sliceMs = sliceMs;
    this.#step = step;
    this.#size = this.#min;
  }

  /** Tokens for the next chunk. */
  size(): number {
    return this.#size;
  }

  /** A chunk of `tokens` took `ms`: sizes the next one so that it takes about `sliceMs` at most. */
  record(tokens: number, ms: number): void {
    if (!(tokens > 0) || !(ms >= 0) || !Number.isFinite(ms)) return;
    const fits = ms === 0 ? this.#max : (this.#sliceMs * tokens) / ms;
    const stepped = Math.floor(fits / this.#step) * this.#step;
    this.#size = Math.max(this.#min, Math.min(this.#max, stepped));
  }
}
