/**
 * @module ab/style-metrics
 * Judge-free style metrics of a group of answers (one variant of an A/B
 * run, one arm of a live experiment, the chat answers of a shift run): the
 * share with an affirming opener, a list, a closing summary, all three (full
 * URIAL style), a clean ending and a refusal — each with its 95 % Wilson
 * interval — and the median length in characters with its distribution-free
 * interval. Counted one answer at a time (`StyleTally`), so the live
 * statistics and the offline report share one definition.
 */
import type { AnswerStyle } from "./answer-style.js";
import type { Interval } from "../statistics/interval.js";
import { medianInterval } from "../statistics/median-interval.js";
import { wilsonInterval } from "../statistics/wilson-interval.js";

/** The shares a style summary reports, in display order. */
export const styleShares = ["urialStyle", "opener", "list", "closing", "cleanEnding", "refusal"] as const;
export type StyleShare = (typeof styleShares)[number];

/** Column labels of the shares. */
export const styleShareLabels: Record<StyleShare, string> = {
  urialStyle: "full URIAL style",
  opener: "affirming opener",
  list: "list",
  closing: "closing summary",
  cleanEnding: "clean ending",
  refusal: "refusal",
};

/** What a style summary holds (JSON: the same keys in results.json and the experiments API). */
export type StyleMetrics = { answers: number; counts: Record<StyleShare, number>; medianChars: Interval } & Record<StyleShare, Interval>;

/** One answer as the tally counts it. */
export interface StyledAnswer {
  style: Pick<AnswerStyle, "opener" | "list" | "closing" | "refusal" | "urialStyle">;
  /** Characters of the answer. */
  chars: number;
  /** The model ended it itself (not cut by the budget or a repetition/leak rule). */
  cleanEnding: boolean;
}

/** Counts answers; lengths are kept for the median (the latest `window` of them). */
export class StyleTally {
  answers = 0;
  readonly counts: Record<StyleShare, number> = { urialStyle: 0, opener: 0, list: 0, closing: 0, cleanEnding: 0, refusal: 0 };
  readonly #lengths: number[] = [];
  readonly #window: number;
  #next = 0;

  /** `window`: how many latest lengths the median is taken over. Defaults to 10,000. */
  constructor(window = 10_000) {
    this.#window = window;
  }

  add(answer: StyledAnswer): void {
    this.answers += 1;
    for (const share of styleShares) if (share === "cleanEnding" ? answer.cleanEnding : answer.style[share]) this.counts[share] += 1;
    if (this.#lengths.length < this.#window) this.#lengths.push(answer.chars);
    else {
      this.#lengths[this.#next] = answer.chars;
      this.#next = (this.#next + 1) % this.#window;
    }
  }

  metrics(): StyleMetrics {
    const shares = Object.fromEntries(styleShares.map((share) => [share, wilsonInterval(this.counts[share], this.answers)])) as Record<StyleShare, Interval>;
    return { answers: this.answers, counts: { ...this.counts }, ...shares, medianChars: medianInterval(this.#lengths) };
  }
}

/** The style metrics of a list of answers. */
export function summarizeStyle(answers: Iterable<StyledAnswer>): StyleMetrics {
  const tally = new StyleTally(Number.MAX_SAFE_INTEGER);
  for (const answer of answers) tally.add(answer);
  return tally.metrics();
}
