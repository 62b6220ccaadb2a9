/**
 * @module ab/offline/summarize-ab
 * The statistics of an offline run, from its answers and judgements. Every
 * interval is a percentile bootstrap over prompts (samples of one prompt stay
 * together), each statistic drawing from its own seeded stream, so a report
 * is reproducible and adding a statistic changes no other.
 */
import type { AbAnswer, AbPromptResult, AbSummary, ComparisonSummary, PairJudgement, VariantSummary } from "./ab-results.js";
import { endedCleanly, isRefusal } from "./answer-quality.js";
import { bootstrapInterval, mean } from "../statistics/bootstrap-interval.js";
import type { Interval } from "../statistics/interval.js";
import { judgeAspects, type JudgeAspect } from "../judge/judge-aspects.js";
import { lengthControlledWinRate } from "../statistics/length-controlled-win-rate.js";
import { seededRandom } from "../statistics/seeded-random.js";

export interface SummarizeOptions {
  /** Bootstrap resamples per statistic. Defaults to 2000. */
  resamples?: number;
  /** Defaults to 1. */
  seed?: number;
}

/** Summarizes a run; `variants[0]` is the baseline every other variant is compared with. */
export function summarizeAb(prompts: readonly AbPromptResult[], variants: readonly string[], options: SummarizeOptions = {}): AbSummary {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 1;
  const interval = <Value>(label: string, extract: (prompt: AbPromptResult) => readonly Value[], statistic: (values: readonly Value[]) => number): Interval =>
    bootstrapInterval(prompts, (sample) => statistic(sample.flatMap(extract)), { resamples, random: seededRandom(seed ^ hashLabel(label)) });
  const meanOf = (label: string, extract: (prompt: AbPromptResult) => readonly number[]) => interval(label, extract, mean);

  const summaries: VariantSummary[] = variants.map((variant) => {
    const answersOf = (prompt: AbPromptResult): AbAnswer[] => (prompt.answers[variant] ?? []).filter((answer) => answer.error === null);
    const scoreOf = (prompt: AbPromptResult, aspect: JudgeAspect | "overall"): number[] =>
      (prompt.scores[variant] ?? []).flatMap((judgement) => {
        if (judgement === null || !judgement.ok) return [];
        return [aspect === "overall" ? mean(judgeAspects.map((each) => judgement.scores[each].score)) : judgement.scores[aspect].score];
      });
    const all = prompts.flatMap((prompt) => prompt.answers[variant] ?? []);
    return {
      variant,
      answers: all.length,
      errors: all.filter((answer) => answer.error !== null).length,
      length: meanOf(`${variant}/length`, (prompt) => answersOf(prompt).map((answer) => answer.content.length)),
      completionTokens: meanOf(`${variant}/tokens`, (prompt) => answersOf(prompt).flatMap((answer) => (answer.completionTokens === null ? [] : [answer.completionTokens]))),
      refusalRate: meanOf(`${variant}/refusal`, (prompt) => answersOf(prompt).map((answer) => (isRefusal(answer.content) ? 1 : 0))),
      cleanEndingRate: meanOf(`${variant}/clean`, (prompt) => answersOf(prompt).map((answer) => (endedCleanly(answer) ? 1 : 0))),
      aspects: Object.fromEntries([...judgeAspects, "overall" as const].map((aspect) => [aspect, meanOf(`${variant}/${aspect}`, (prompt) => scoreOf(prompt, aspect))])) as VariantSummary["aspects"],
      scoreFailures: prompts.reduce((sum, prompt) => sum + (prompt.scores[variant] ?? []).filter((judgement) => judgement !== null && !judgement.ok).length, 0),
    };
  });

  const baseline = variants[0]!;
  const comparisons: ComparisonSummary[] = variants.slice(1).map((candidate) => summarizeComparison(prompts, baseline, candidate, interval));

  let retried = 0;
  let scoreFailures = 0;
  let orderFailures = 0;
  for (const prompt of prompts) {
    for (const judgements of Object.values(prompt.scores)) {
      for (const judgement of judgements) {
        if (judgement === null) continue;
        if (!judgement.ok) scoreFailures += 1;
        else if (judgement.attempts > 1) retried += 1;
      }
    }
    for (const pair of prompt.pairs) {
      for (const order of pair.orders) {
        if (!order.ok) orderFailures += 1;
        else if (order.attempts > 1) retried += 1;
      }
    }
  }
  return {
    variants: summaries,
    comparisons,
    failures: {
      generation: summaries.reduce((sum, summary) => sum + summary.errors, 0),
      scores: scoreFailures,
      pairOrders: orderFailures,
      retried,
    },
  };
}

type IntervalOf = <Value>(label: string, extract: (prompt: AbPromptResult) => readonly Value[], statistic: (values: readonly Value[]) => number) => Interval;

function summarizeComparison(prompts: readonly AbPromptResult[], baseline: string, candidate: string, interval: IntervalOf): ComparisonSummary {
  const judged = (prompt: AbPromptResult): PairJudgement[] => prompt.pairs.filter((pair) => pair.candidate === candidate && pair.preference !== null);
  const all = prompts.flatMap((prompt) => prompt.pairs.filter((pair) => pair.candidate === candidate));
  const pairs = all.filter((pair) => pair.preference !== null);
  const share = (verdict: PairJudgement["verdict"]) => (values: readonly PairJudgement[]) =>
    values.length === 0 ? Number.NaN : values.filter((pair) => pair.verdict === verdict).length / values.length;
  const label = `${baseline}→${candidate}`;
  const lengthControlled = (values: readonly PairJudgement[]) => (values.length === 0 ? Number.NaN : lengthControlledWinRate(values.map(toLengthPair)).winRate);
  const fit = pairs.length > 0 ? lengthControlledWinRate(pairs.map(toLengthPair)) : undefined;
  const agreeing = pairs.filter((pair) => pair.orders.length === 2 && pair.orders.every((order) => order.ok) && sameVerdict(pair)).length;
  const categories = [...new Set(prompts.map((prompt) => prompt.category))];
  return {
    baseline,
    candidate,
    pairs: pairs.length,
    failedPairs: all.filter((pair) => pair.preference === null && pair.skipped === undefined).length,
    skippedPairs: all.filter((pair) => pair.skipped !== undefined).length,
    wins: pairs.filter((pair) => pair.verdict === "win").length,
    ties: pairs.filter((pair) => pair.verdict === "tie").length,
    losses: pairs.filter((pair) => pair.verdict === "loss").length,
    winShare: interval(`${label}/win`, judged, share("win")),
    tieShare: interval(`${label}/tie`, judged, share("tie")),
    lossShare: interval(`${label}/loss`, judged, share("loss")),
    winRate: interval(`${label}/rate`, judged, (values) => mean(values.map((pair) => pair.preference!))),
    lengthControlled: {
      winRate: interval(`${label}/lc`, judged, lengthControlled),
      lengthSlope: fit?.lengthSlope ?? null,
      lengthScale: fit?.lengthScale ?? null,
    },
    orderAgreement: pairs.length > 0 ? agreeing / pairs.length : null,
    byCategory: categories.map((category) => {
      const inCategory = prompts.filter((prompt) => prompt.category === category);
      const rate = bootstrapInterval(inCategory, (sample) => mean(sample.flatMap(judged).map((pair) => pair.preference!)), {
        resamples: 1000,
        random: seededRandom(hashLabel(`${label}/${category}`)),
      });
      return { category, pairs: inCategory.flatMap(judged).length, winRate: rate };
    }),
  };
}

function toLengthPair(pair: PairJudgement) {
  return { preference: pair.preference!, lengthDifference: pair.lengthDifference };
}

/** Both orders named the same variant (or both a tie). */
function sameVerdict(pair: PairJudgement): boolean {
  const winners = pair.orders.map((order) => (order.ok ? order.winner : undefined));
  return winners[0] === winners[1];
}

/** 32-bit FNV-1a of a label: the seed offset of its statistic's random stream. */
export function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index += 1) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
