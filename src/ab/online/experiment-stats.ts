/**
 * @module ab/online/experiment-stats
 * Per-variant statistics of a live experiment, updated one outcome at a
 * time: traffic, errors, latency and time to first token (mean with a 95 %
 * Student-t interval, p50, p95), answer length, prefix-cache reuse, finish reasons,
 * and feedback rates with Wilson intervals. A vote that is changed replaces
 * the earlier one.
 */
import { wilsonInterval } from "../statistics/wilson-interval.js";
import type { Interval } from "../statistics/interval.js";
import { RunningStats } from "../statistics/running-stats.js";
import type { RequestOutcome } from "./outcome-entry.js";

/** A request's current votes. */
export interface Votes {
  rating: 1 | -1 | null;
  preferred: boolean | null;
}

/** A timing: mean with its interval, and percentiles of the latest values. */
export interface TimingBody extends Interval {
  p50: number | null;
  p95: number | null;
}

/** What `GET /v1/experiments/:id` reports per variant. */
export interface VariantStatsBody {
  name: string;
  exemplar_set: string;
  /** The variant's identity now (set content + sampling); changes when its files change. */
  variant_hash: string | null;
  weight: number;
  /** The share of assigned traffic the weights ask for. */
  expected_share: number;
  requests: number;
  /** This variant's share of the experiment's requests. */
  share: number | null;
  /** Requests assigned by the `x-urial-variant` override (QA), included in `requests`. */
  overridden: number;
  errors: number;
  latency_ms: TimingBody;
  ttft_ms: TimingBody;
  completion_tokens: Interval;
  answer_chars: Interval;
  /** Prompt tokens reused from the KV cache, over all prompt tokens (how warm the variant stays). */
  cached_prompt_share: number | null;
  finish_reasons: { stop: number; length: number };
  /** Share of answers cut by the token budget (`finish_reason: length`). */
  truncated_rate: Interval;
  feedback: {
    ratings: number;
    /** Thumbs up over all ratings. */
    positive_rate: Interval;
    preferences: number;
    /** Preferred over all preference votes. */
    preferred_rate: Interval;
  };
}

/** The running statistics of one variant. */
export class VariantStats {
  requests = 0;
  overridden = 0;
  errors = 0;
  readonly latency = new RunningStats();
  readonly ttft = new RunningStats();
  readonly completionTokens = new RunningStats();
  readonly answerChars = new RunningStats();
  promptTokens = 0;
  cachedTokens = 0;
  finishStop = 0;
  finishLength = 0;
  ratings = 0;
  positive = 0;
  preferences = 0;
  preferred = 0;

  /** Counts one finished request. */
  addOutcome(outcome: RequestOutcome): void {
    this.requests += 1;
    if (outcome.assigned_by === "override") this.overridden += 1;
    if (outcome.status >= 400 || outcome.error !== null) {
      this.errors += 1;
      return;
    }
    this.latency.add(outcome.latency_ms);
    if (outcome.ttft_ms !== null) this.ttft.add(outcome.ttft_ms);
    if (outcome.completion_tokens !== null) this.completionTokens.add(outcome.completion_tokens);
    this.answerChars.add(outcome.answer_chars);
    this.promptTokens += outcome.prompt_tokens ?? 0;
    this.cachedTokens += outcome.cached_tokens ?? 0;
    if (outcome.finish_reason === "stop") this.finishStop += 1;
    else if (outcome.finish_reason === "length") this.finishLength += 1;
  }

  /** Replaces a request's earlier votes (`previous`) with `next`. */
  changeVotes(previous: Votes, next: Votes): void {
    if (previous.rating !== null) {
      this.ratings -= 1;
      if (previous.rating === 1) this.positive -= 1;
    }
    if (next.rating !== null) {
      this.ratings += 1;
      if (next.rating === 1) this.positive += 1;
    }
    if (previous.preferred !== null) {
      this.preferences -= 1;
      if (previous.preferred) this.preferred -= 1;
    }
    if (next.preferred !== null) {
      this.preferences += 1;
      if (next.preferred) this.preferred += 1;
    }
  }

  /** The report body; `identity` says which variant this is, `totalRequests` is the experiment's. */
  toBody(identity: { name: string; exemplarSet: string; variantHash: string | null; weight: number; expectedShare: number }, totalRequests: number): VariantStatsBody {
    const timing = (stats: RunningStats): TimingBody => ({ ...stats.meanInterval(0), p50: stats.percentile(0.5), p95: stats.percentile(0.95) });
    const finished = this.finishStop + this.finishLength;
    return {
      name: identity.name,
      exemplar_set: identity.exemplarSet,
      variant_hash: identity.variantHash,
      weight: identity.weight,
      expected_share: identity.expectedShare,
      requests: this.requests,
      share: totalRequests > 0 ? this.requests / totalRequests : null,
      overridden: this.overridden,
      errors: this.errors,
      latency_ms: timing(this.latency),
      ttft_ms: timing(this.ttft),
      completion_tokens: this.completionTokens.meanInterval(0),
      answer_chars: this.answerChars.meanInterval(0),
      cached_prompt_share: this.promptTokens > 0 ? this.cachedTokens / this.promptTokens : null,
      finish_reasons: { stop: this.finishStop, length: this.finishLength },
      truncated_rate: wilsonInterval(this.finishLength, finished),
      feedback: {
        ratings: this.ratings,
        positive_rate: wilsonInterval(this.positive, this.ratings),
        preferences: this.preferences,
        preferred_rate: wilsonInterval(this.preferred, this.preferences),
      },
    };
  }
}
