/**
 * @module ab/statistics/running-stats
 * Mean and variance in one pass (Welford), with a 95 % interval of the mean
 * (Student's t), plus a bounded window of the latest values for percentiles.
 * Used by the live experiment statistics, where observations arrive one at a
 * time.
 */
import { emptyInterval, type Interval } from "./interval.js";
import { quantile } from "./quantile.js";
import { studentT95 } from "./student-t.js";

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

  /**
   * The mean with mean ± t(0.975, n − 1) · sd / √n (null bounds below two
   * values); `floor` clips the lower bound (0 for times and counts).
   */
  meanInterval(floor = -Infinity): Interval {
    if (this.#count === 0) return emptyInterval();
    if (this.#count < 2) return { value: this.#mean, low: null, high: null, n: this.#count };
    const sd = Math.sqrt(Math.max(0, this.#squares) / (this.#count - 1));
    const half = (studentT95(this.#count - 1) * sd) / Math.sqrt(this.#count);
    return { value: this.#mean, low: Math.max(floor, this.#mean - half), high: this.#mean + half, n: this.#count };
  }

  /** The `q` quantile of the latest values; null when there are none. */
  percentile(q: number): number | null {
    return this.#window.length === 0 ? null : quantile(this.#window, q);
  }
}
