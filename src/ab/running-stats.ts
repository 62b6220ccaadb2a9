/**
 * @module ab/running-stats
 * Mean and variance in one pass (Welford), with a normal 95 % interval of the
 * mean, plus a bounded window of the latest values for percentiles. Used by
 * the live experiment statistics, where observations arrive one at a time.
 */
import { emptyInterval, z95, type Interval } from "./interval.js";
import { quantile } from "./quantile.js";

export class RunningStats {
  #count = 0;
  #mean = 0;
  #squares = 0;
  readonly #window: number[] = [];
  readonly #windowSize: number;
  #next = 0;

  /** `windowSize`: how many latest values percentiles are computed from. Defaults to 10,000. */
  constructor(windowSize = 10_000) {
    this.#windowSize = windowSize;
  }

  get count(): number {
    return this.#count;
  }

  add(value: number): void {
    this.#count += 1;
    const delta = value - this.#mean;
    this.#mean += delta / this.#count;
    this.#squares += delta * (value - this.#mean);
    if (this.#window.length < this.#windowSize) this.#window.push(value);
    else {
      this.#window[this.#next] = value;
      this.#next = (this.#next + 1) % this.#windowSize;
    }
  }

  /** The mean with mean ± 1.96 · sd / √n (null bounds below two values). */
  meanInterval(): Interval {
    if (this.#count === 0) return emptyInterval();
    if (this.#count < 2) return { value: this.#mean, low: null, high: null, n: this.#count };
    const sd = Math.sqrt(this.#squares / (this.#count - 1));
    const half = (z95 * sd) / Math.sqrt(this.#count);
    return { value: this.#mean, low: this.#mean - half, high: this.#mean + half, n: this.#count };
  }

  /** The `q` quantile of the latest values; null when there are none. */
  percentile(q: number): number | null {
    return this.#window.length === 0 ? null : quantile(this.#window, q);
  }
}
