/**
 * @module ab/style-body
 * The judge-free style metrics as `GET /v1/experiments/:id` reports them
 * per variant (snake_case like the rest of the API), and the per-request
 * style flags an outcome-log line carries so the metrics survive a restart.
 */
import type { AnswerStyle } from "../style/answer-style.js";
import type { Interval } from "../statistics/interval.js";
import type { StyleMetrics } from "../style/style-metrics.js";

/** The style of a request's first answer, as logged. */
export interface OutcomeStyle {
  opener: boolean;
  list: boolean;
  closing: boolean;
  refusal: boolean;
  urial_style: boolean;
  /** Characters of the first answer. */
  chars: number;
}

/** Per variant in `GET /v1/experiments/:id`: shares with 95 % Wilson intervals, the median length with its order-statistic interval. */
export interface StyleBody {
  /** Successful requests whose first answer was read. */
  answers: number;
  urial_style: Interval;
  opener: Interval;
  list: Interval;
  closing: Interval;
  clean_ending: Interval;
  refusal: Interval;
  median_chars: Interval;
}

export function toOutcomeStyle(style: AnswerStyle, chars: number): OutcomeStyle {
  return { opener: style.opener, list: style.list, closing: style.closing, refusal: style.refusal, urial_style: style.urialStyle, chars };
}

export function toStyleBody(metrics: StyleMetrics): StyleBody {
  return {
    answers: metrics.answers,
    urial_style: metrics.urialStyle,
    opener: metrics.opener,
    list: metrics.list,
    closing: metrics.closing,
    clean_ending: metrics.cleanEnding,
    refusal: metrics.refusal,
    median_chars: metrics.medianChars,
  };
}
