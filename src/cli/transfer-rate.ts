/**
 * @module cli/transfer-rate
 * Speed and time left of a download, over the last few seconds (so a stall
 * or a burst shows soon, not averaged away over the whole transfer). The
 * clock is passed in, so it is tested without waiting.
 */

export interface RateEstimate {
  /** Bytes per second, or undefined until there is a second's worth of samples. */
  bytesPerSecond: number | undefined;
  /** Seconds left at that speed, when the total is known. */
  secondsLeft: number | undefined;
}

export class TransferRate {
  readonly #windowMs: number;
  readonly #samples: { at: number; bytes: number }[] = [];

  /** `windowMs`: how far back the speed looks. Defaults to 5000. */
  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  /** Records `bytes` downloaded so far at time `at` (ms) and returns the estimate. */
  update(at: number, bytes: number, total: number): RateEstimate {
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[1]!.at >= this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = (at - first.at) / 1000;
    if (elapsed < 1 || bytes <= first.bytes) return { bytesPerSecond: elapsed >= 1 ? 0 : undefined, secondsLeft: undefined };
    const bytesPerSecond = (bytes - first.bytes) / elapsed;
    return { bytesPerSecond, secondsLeft: total > 0 ? Math.max(0, total - bytes) / bytesPerSecond : undefined };
  }
}
