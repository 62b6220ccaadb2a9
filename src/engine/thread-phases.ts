/**
 * @module engine/thread-phases
 * Separate thread counts for prefill (batch) and decode, like llama.cpp's
 * `-tb` / `-t`. node-llama-cpp 3.22.1 has one count per context: its addon
 * sets `n_threads_batch = n_threads`, and before every batch it applies
 * `min(the context's ideal threads, llama.maxThreads)` (its thread splitter).
 * `llama.maxThreads` is a public setter, so changing it between evaluations
 * is the supported way to switch: the next batch runs with the new count.
 * The context must be created with ideal threads ≥ both counts.
 *
 * Rule: while any sequence is prefilling, or while the decode batch holds
 * `wideDecodeBatch` sequences or more, batches run with the batch count;
 * otherwise with the decode count. A batch that mixes one sequence's prefill
 * with another's decode is mostly prefill work; a batch of many sequences'
 * tokens is compute that more threads speed up, while a token or two on
 * node-llama-cpp mostly pays for starting the extra threads (it keeps no
 * threadpool). llama.cpp itself uses its batch count for any batch of more
 * than one token; measured here (2-core VM, 135M, 1 decode / 2 batch
 * threads), 4 streams went from 82 (76–83) to 88 (85–93) tok/s on the batch
 * count and 2 streams fell from 72–104 to 63–65, hence 4. See
 * docs/engine-notes.md.
 */

/** Decode batches of at least this many sequences run on the batch thread count. */
export const wideDecodeBatch = 4;

/** The one part of node-llama-cpp's `Llama` this needs. */
export interface ThreadLimit {
  maxThreads: number;
}

export interface ThreadCounts {
  /** Threads while only decoding (one token per sequence per batch). */
  decode: number;
  /** Threads while a prompt is being prefilled. */
  batch: number;
}

export class ThreadPhases {
  readonly #limit: ThreadLimit;
  #counts: ThreadCounts;
  #prefilling = 0;
  #decodeWidth = 1;

  constructor(limit: ThreadLimit, counts: ThreadCounts) {
    checkCount("decode", counts.decode);
    checkCount("batch", counts.batch);
    this.#limit = limit;
    this.#counts = { ...counts };
    this.#apply();
  }

  get counts(): ThreadCounts {
    return { ...this.#counts };
  }

  /** Threads the next batch will use. */
  get current(): number {
    return this.#limit.maxThreads;
  }

  /** Changes the decode count (after `--threads auto` measured it). */
  setDecode(threads: number): void {
    checkCount("decode", threads);
    this.#counts = { ...this.#counts, decode: threads };
    this.#apply();
  }

  /** Marks a prefill as running until the returned function is called (idempotent). */
  beginPrefill(): () => void {
    this.#prefilling += 1;
    this.#apply();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#prefilling -= 1;
      this.#apply();
    };
  }

  /** The next decode batch holds `sequences` sequences' tokens (told by the decode rounds). */
  setDecodeWidth(sequences: number): void {
    this.#decodeWidth = Math.max(1, Math.floor(sequences));
    this.#apply();
  }

  /** Runs `work` as a prefill. */
  async prefill<T>(work: () => Promise<T>): Promise<T> {
    const end = this.beginPrefill();
    try {
      return await work();
    } finally {
      end();
    }
  }

  #apply(): void {
    this.#limit.maxThreads = this.#prefilling > 0 || this.#decodeWidth >= wideDecodeBatch ? this.#counts.batch : this.#counts.decode;
  }
}

function checkCount(name: string, threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`the ${name} thread count must be a whole number ≥ 1, got ${threads}`);
}
