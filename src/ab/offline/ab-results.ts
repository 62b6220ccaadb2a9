/**
 * @module ab/offline/ab-results
 * The `results.json` document `urial ab` writes: what was run (model,
 * judge, settings, variants), every answer, every judgement (failures
 * included, with the judge's last reply) and the summary statistics.
 * Versioned: `format: "urial-ab"`, `version: 1`.
 */
import type { JudgeAspect } from "../judge/judge-aspects.js";
import type { Interval } from "../statistics/interval.js";
import type { AspectScores } from "../judge/parse-judgement.js";
import type { JudgeDescription } from "../judge/judge-backend.js";
import type { SuiteMessage } from "../../suite/read-suite.js";

/** A variant of an offline run: a chat model id and the set behind it. */
export interface AbVariant {
  /** The model id (`urial/<set>`). */
  id: string;
  set: string;
  version: string;
  /** The set's content hash: part of every answer's cache key. */
  hash: string;
}

/** One generated answer. */
export interface AbAnswer {
  content: string;
  finishReason: "stop" | "length" | null;
  /** The server's `stop_reason` (`urial:block`, `urial:repetition`, a stop string, or null when the model ended). */
  stopReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Why there is no answer (an error the server gave), else null. */
  error: string | null;
  seed: number;
}

/** A judgement that could not be read after its retries, kept for the report. */
export interface JudgeFailure {
  ok: false;
  attempts: number;
  error: string;
  /** The judge's last reply (cut at 2,000 characters). */
  raw: string;
}

export type ScoreJudgement = { ok: true; scores: AspectScores; attempts: number } | JudgeFailure;

/** One order of a pairwise judgement. */
export type PairOrder = { first: "baseline" | "candidate" } & (
  | { ok: true; winner: "baseline" | "candidate" | "tie"; reason: string; attempts: number }
  | JudgeFailure
  /** Both answers were the same text: a tie without asking the judge. */
  | { ok: true; winner: "tie"; reason: "identical answers"; attempts: 0 }
);

export interface PairJudgement {
  /** The candidate variant's id (the baseline is the first variant). */
  candidate: string;
  sample: number;
  orders: PairOrder[];
  /** P(candidate is better), the mean over both orders of 1 / 0.5 / 0; null when an order failed or an answer is missing. */
  preference: number | null;
  verdict: "win" | "tie" | "loss" | null;
  /** Candidate answer characters minus baseline answer characters. */
  lengthDifference: number;
  /** Why the pair was not judged (an answer is missing). */
  skipped?: string;
}

export interface AbPromptResult {
  id: string;
  category: string;
  query: string;
  messages?: SuiteMessage[];
  /** Per variant id, one answer per sample. */
  answers: Record<string, AbAnswer[]>;
  /** Per variant id, one judgement per sample (null: no answer to judge). */
  scores: Record<string, (ScoreJudgement | null)[]>;
  pairs: PairJudgement[];
  /** How much the variants' judged scores differ beyond their own sample spread (see `ab/informativeness`); null without scores. */
  informativeness: number | null;
}

export interface VariantSummary {
  variant: string;
  answers: number;
  /** Answers the server could not give. */
  errors: number;
  /** Answer characters. */
  length: Interval;
  completionTokens: Interval;
  refusalRate: Interval;
  /** Answers the model ended itself (EOS or the block's end), not cut by the budget or a repetition/leak rule. */
  cleanEndingRate: Interval;
  /** Mean 1–5 score per aspect, and `overall` (the mean of the six). */
  aspects: Record<JudgeAspect | "overall", Interval>;
  scoreFailures: number;
}

export interface ComparisonSummary {
  baseline: string;
  candidate: string;
  /** Pairs with a verdict. */
  pairs: number;
  /** Pairs without one: a judge order failed. */
  failedPairs: number;
  /** Pairs not judged: an answer is missing. */
  skippedPairs: number;
  wins: number;
  ties: number;
  losses: number;
  winShare: Interval;
  tieShare: Interval;
  lossShare: Interval;
  /** Mean preference (a tie counts half). */
  winRate: Interval;
  /** AlpacaEval-2-style length-controlled win rate. */
  lengthControlled: { winRate: Interval; lengthSlope: number | null; lengthScale: number | null };
  /** Share of judged pairs whose two orders agreed (position consistency of the judge). */
  orderAgreement: number | null;
  byCategory: { category: string; pairs: number; winRate: Interval }[];
}

export interface AbSummary {
  variants: VariantSummary[];
  comparisons: ComparisonSummary[];
  failures: {
    /** Answers the server could not give. */
    generation: number;
    /** Aspect-score judgements unreadable after their retries. */
    scores: number;
    /** Pairwise judgements (single orders) unreadable after their retries. */
    pairOrders: number;
    /** Replies that were unreadable at first but read on a retry. */
    retried: number;
  };
}

export interface AbResults {
  format: "urial-ab";
  version: 1;
  createdAt: string;
  model: { path: string; identity: string };
  judge: Omit<JudgeDescription, "identity"> & { promptVersion: string };
  settings: {
    suite: string;
    samples: number;
    seed: number;
    temperature: number;
    maxTokens: number;
    judgeRetries: number;
    bootstrap: { resamples: number; seed: number };
    informative: number | null;
  };
  variants: AbVariant[];
  prompts: AbPromptResult[];
  summary: AbSummary;
  /** The most informative prompts, best first (all prompts when `--informative` was not given). */
  informative: { id: string; category: string; informativeness: number | null }[];
  work: { generated: number; answersCached: number; judgeCalls: number; judgementsCached: number };
}
