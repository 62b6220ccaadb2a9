/**
 * @module exemplar-search/run-exemplar-search
 * One whole search, from the pool and held-out queries to the report:
 * 1. the chat model answers the held-out queries (once, cached);
 * 2. the prefix budget is fixed (given, or the context less the longest
 *    held-out query and answer) and the answers are cut to it, so every set
 *    within the budget scores the same positions;
 * 3. with `informative`, the empty set and every one-exemplar set are scored
 *    on all queries and only the queries they disagree on most are kept;
 * 4. greedy selection and swap passes (`selectExemplars`) on the objective;
 * 5. zero-shot, the system prompt alone, seeded random K-subsets and the
 *    chosen set are scored on every held-out query for the report.
 * Calls on the models must not overlap; this runs them one after another.
 */
import type { Exemplar } from "../catalog/catalog-schema.js";
import type { ScoringModel, ScoringModelInfo } from "../engine/scoring-model.js";
import { seededRandom } from "../ab/statistics/seeded-random.js";
import type { ShiftPrompt } from "../shift/analyse-prompt.js";
import { classifyRank } from "../shift/classify-rank.js";
import { computeClosure } from "../shift/compute-closure.js";
import { positionBuckets } from "../shift/position-buckets.js";
import type { Closure, ShiftCategory } from "../shift/shift-schema.js";
import { summarizeSplit } from "../shift/summarize-split.js";
import { pickInformativeQueries } from "./pick-informative-queries.js";
import { prepareHeldOut, type ChatAnswerSettings, type HeldOutAnswer } from "./prepare-held-out.js";
import type { PoolCandidate } from "./read-pool.js";
import { createSetScorer, cutToBudget, longestQueryAndAnswer, type QueryScore, type ScoringContext } from "./score-candidate-sets.js";
import type { SearchCache } from "./search-cache.js";
import { SearchInputError } from "./search-input-error.js";
import { searchFormatVersion, type ContextResult, type ObjectiveName, type SearchReport, type SearchStep } from "./search-report-schema.js";
import { NothingFitsError, selectExemplars, type EvaluatedEvent } from "./select-exemplars.js";

export type SearchProgressEvent =
  { type: "answers"; done: number; total: number } | { type: "phase"; phase: "zero-shot" | "probe" | "search" | "compare"; detail: string } | ({ type: "evaluated"; ids: string[] } & EvaluatedEvent);

export interface SearchInput {
  base: ScoringModel;
  chat: ScoringModel;
  pool: readonly PoolCandidate[];
  prompts: readonly ShiftPrompt[];
  systemPrompt: { name: string; text: string };
  k: number;
  objective: ObjectiveName;
  seed: number;
  /** Undefined: the context less the longest held-out query and answer. */
  maxPrefixTokens?: number;
  informative?: number;
  maxEvaluations?: number;
  swapPasses: number;
  randomSets: number;
  chatAnswers: Omit<ChatAnswerSettings, "identity">;
  /** Identify the models in cache keys (fingerprint, context size). */
  identity: { base: string; chat: string };
  cache: SearchCache;
  /** Recorded in the report. */
  files: { pool: string | null; poolFromChat: string | null; queries: string };
  onProgress?: (event: SearchProgressEvent) => void;
  now?: () => Date;
}

export interface SearchOutcome {
  report: SearchReport;
  /** The chosen exemplars, in prompt order. */
  chosen: PoolCandidate[];
}

/** Runs the search and builds its report. */
export async function runExemplarSearch(input: SearchInput): Promise<SearchOutcome> {
  const { base, chat, pool, cache } = input;
  const started = performance.now();
  const createdAt = (input.now ?? (() => new Date()))();
  if (pool.length === 0) throw new SearchInputError("the pool is empty: give --pool FILE and/or --pool-from-chat QUERIES");
  const poolQueries = new Map(pool.map((candidate) => [normalize(candidate.exemplar.query), candidate]));
  for (const prompt of input.prompts) {
    const same = poolQueries.get(normalize(prompt.query));
    if (same) {
      throw new SearchInputError(
        `held-out query '${prompt.id}' is also the query of pool exemplar '${same.id}' (${same.where}): its answer would sit in the context it is scored in; keep held-out queries out of the pool`,
      );
    }
  }

  const chatSettings: ChatAnswerSettings = { ...input.chatAnswers, identity: input.identity.chat };
  const full = await prepareHeldOut(chat, input.prompts, chatSettings, cache, (index) => input.onProgress?.({ type: "answers", done: index + 1, total: input.prompts.length }));

  // Only for counting prefix tokens, before the budget (and so the real scorer) is known.
  const systemTokens = createSetScorer({ base, answers: full, systemPrompt: input.systemPrompt.text, maxPrefixTokens: Number.POSITIVE_INFINITY, identity: "", cache }).prefixTokens([]);
  const fromFlag = input.maxPrefixTokens !== undefined;
  const maxPrefixTokens = input.maxPrefixTokens ?? base.info.contextSize - longestQueryAndAnswer(base, full) - 4;
  if (systemTokens > maxPrefixTokens) {
    throw new SearchInputError(
      fromFlag
        ? `--max-prefix-tokens ${maxPrefixTokens} is smaller than the system prompt '${input.systemPrompt.name}' alone (${systemTokens} tokens); raise it or use a shorter system prompt`
        : `the system prompt '${input.systemPrompt.name}' (${systemTokens} tokens) leaves no room in the base model's ${base.info.contextSize}-token context for the longest held-out query and answer; use a shorter system prompt, shorter answers (--max-tokens) or a larger --context-size`,
    );
  }
  const { answers } = cutToBudget(base, full, maxPrefixTokens);
  if (answers.some((answer) => answer.tokens.length === 0)) {
    throw new SearchInputError(`--max-prefix-tokens ${maxPrefixTokens} leaves no room for an answer to some held-out query in the ${base.info.contextSize}-token context; lower it`);
  }
  const scorer = createSetScorer({
    base,
    answers,
    systemPrompt: input.systemPrompt.text,
    maxPrefixTokens,
    identity: `${input.identity.base}\u0000${input.identity.chat}`,
    cache,
  });
  const all = answers.map((_, index) => index);
  const exemplarsOf = (set: readonly number[]): Exemplar[] => set.map((index) => pool[index]!.exemplar);
  const objectiveOf = (scores: readonly QueryScore[]) => aggregate(scores, input.objective);

  input.onProgress?.({ type: "phase", phase: "zero-shot", detail: `${answers.length} held-out answers, zero-shot` });
  const zeroShot = (await scorer.score({ kind: "zeroShot" }, all))!;

  let searchQueries = all;
  let informativeness: (number | null)[] = all.map(() => null);
  if (input.informative !== undefined && input.informative < answers.length) {
    input.onProgress?.({ type: "phase", phase: "probe", detail: `probing the empty set and ${pool.length} one-exemplar sets on all ${answers.length} queries` });
    const probes: (number | null)[][] = [];
    for (const set of [[], ...pool.map((_, index) => [index])]) {
      const scores = await scorer.score({ kind: "set", exemplars: exemplarsOf(set) }, all);
      probes.push(all.map((query) => (scores === null ? null : objectiveOf([scores[query]!]))));
    }
    const picked = pickInformativeQueries(probes, answers.length, input.informative);
    searchQueries = picked.kept;
    informativeness = picked.disagreement.map((entry) => entry.informativeness);
  }

  input.onProgress?.({ type: "phase", phase: "search", detail: `K = ${input.k} from ${pool.length} candidates on ${searchQueries.length} held-out quer${searchQueries.length === 1 ? "y" : "ies"}` });
  let selection;
  try {
    selection = await selectExemplars({
      poolSize: pool.length,
      k: input.k,
      swapPasses: input.swapPasses,
      maxEvaluations: input.maxEvaluations,
      random: seededRandom(input.seed),
      evaluate: async (set) => {
        const scores = await scorer.score({ kind: "set", exemplars: exemplarsOf(set) }, searchQueries);
        return scores === null ? null : objectiveOf(scores);
      },
      onEvaluated: (event) => input.onProgress?.({ type: "evaluated", ids: event.set.map((index) => pool[index]!.id), ...event }),
    });
  } catch (error) {
    if (error instanceof NothingFitsError) throw new SearchInputError(`the system prompt alone exceeds the prefix budget of ${maxPrefixTokens} tokens`);
    throw error;
  }

  input.onProgress?.({ type: "phase", phase: "compare", detail: `zero-shot, system prompt alone, ${input.randomSets} random set(s) and the chosen set on all ${answers.length} queries` });
  const random = seededRandom(input.seed ^ 0x5eed);
  const randomSets: number[][] = [];
  for (let draw = 0; draw < input.randomSets; draw += 1) {
    // A random K-subset that fits the budget (a few tries), in random order.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const set = shuffled(pool.length, random).slice(0, selection.set.length);
      if (scorer.prefixTokens(exemplarsOf(set)) <= maxPrefixTokens) {
        randomSets.push(set);
        break;
      }
    }
  }
  const contextResult = async (label: string, context: ScoringContext, set: readonly number[] | null): Promise<{ result: ContextResult; scores: QueryScore[] }> => {
    const scores = (await scorer.score(context, all))!;
    return { result: describeContext(label, answers, scores, set === null ? [] : set.map((index) => pool[index]!.id), context.kind === "set" ? scorer.prefixTokens(context.exemplars) : null), scores };
  };
  const systemOnly = await contextResult("system prompt alone", { kind: "set", exemplars: [] }, []);
  const randoms = [];
  for (const [index, set] of randomSets.entries()) randoms.push(await contextResult(`random set ${index + 1}`, { kind: "set", exemplars: exemplarsOf(set) }, set));
  const chosen = await contextResult("chosen set", { kind: "set", exemplars: exemplarsOf(selection.set) }, selection.set);
  const zeroShotResult = describeContext("zero-shot", answers, zeroShot, [], null);
  const chatScores = answers.map((answer) => ({ ranks: answer.chatRanks, kl: answer.chatRanks.map(() => 0) }));
  const chatResult = describeContext("chat model", answers, chatScores, [], null);
  await cache.flush();

  const idOf = (index: number | null) => (index === null ? null : pool[index]!.id);
  const steps: SearchStep[] = selection.steps.map((step) => ({
    phase: step.phase,
    step: step.step,
    position: step.position ?? null,
    added: idOf(step.added),
    removed: idOf(step.removed),
    set: step.set.map((index) => pool[index]!.id),
    objective: step.objective,
    candidates: step.candidates.map((entry) => ({ id: pool[entry.candidate]!.id, objective: entry.objective })),
  }));
  const report: SearchReport = {
    format: "urial-exemplar-search",
    version: searchFormatVersion,
    createdAt: createdAt.toISOString(),
    models: { base: modelInfo(base.info), chat: modelInfo(chat.info) },
    settings: {
      k: input.k,
      objective: input.objective,
      seed: input.seed,
      maxPrefixTokens,
      maxPrefixTokensFrom: fromFlag ? "flag" : "default",
      informative: input.informative ?? null,
      maxEvaluations: input.maxEvaluations ?? null,
      swapPasses: input.swapPasses,
      randomSets: input.randomSets,
      maxTokens: input.chatAnswers.maxTokens,
      temperature: input.chatAnswers.temperature,
      systemPrompt: input.systemPrompt.name,
      pool: input.files.pool,
      poolFromChat: input.files.poolFromChat,
      queries: input.files.queries,
    },
    pool: pool.map((candidate) => ({
      id: candidate.id,
      source: candidate.source,
      where: candidate.where,
      query: candidate.exemplar.query,
      answer: candidate.exemplar.answer,
      styleProblems: candidate.styleProblems,
      prefixTokens: scorer.prefixTokens([candidate.exemplar]),
    })),
    queries: answers.map((answer, index) => ({
      id: answer.id,
      query: answer.query,
      answer: chat.detokenize(answer.tokens.filter((token) => !chat.isEndOfGeneration(token))),
      source: answer.source,
      scoredTokens: answer.tokens.length,
      fullTokens: full[index]!.tokens.length,
      truncated: answer.tokens.length < full[index]!.tokens.length,
      usedInSearch: searchQueries.includes(index),
      informativeness: informativeness[index] ?? null,
    })),
    steps,
    chosen: { ids: selection.set.map((index) => pool[index]!.id), objective: selection.objective, prefixTokens: scorer.prefixTokens(exemplarsOf(selection.set)) },
    comparison: { zeroShot: zeroShotResult, systemOnly: systemOnly.result, random: randoms.map((entry) => entry.result), chosen: chosen.result, chat: chatResult },
    closure: closureOf(zeroShot, chosen.scores),
    randomClosure: randoms.map((entry) => closureOf(zeroShot, entry.scores)),
    search: {
      zeroShotObjective: objectiveOf(searchQueries.map((index) => zeroShot[index]!)),
      evaluations: selection.evaluations,
      budgetLimited: selection.budgetLimited,
      shortBecause: selection.shortBecause,
      scoredAnswers: scorer.stats.scored,
      cacheHits: scorer.stats.cacheHits,
      resumedEntries: cache.resumed,
      evaluatedTokens: scorer.stats.evaluatedTokens,
      reusedTokens: scorer.stats.reusedTokens,
      seconds: (performance.now() - started) / 1000,
    },
  };
  return { report, chosen: selection.set.map((index) => pool[index]!) };
}

/** The objective over some answers' positions, pooled: the shifted share, or the mean KL. */
export function aggregate(scores: readonly QueryScore[], objective: ObjectiveName): number {
  let positions = 0;
  let total = 0;
  for (const score of scores) {
    positions += score.ranks.length;
    total += objective === "shifted" ? score.ranks.filter((rank) => rank > 3).length : score.kl.reduce((sum, value) => sum + value, 0);
  }
  return positions === 0 ? 0 : total / positions;
}

function describeContext(label: string, answers: readonly HeldOutAnswer[], scores: readonly QueryScore[], ids: string[], prefixTokens: number | null): ContextResult {
  const positions = scores.flatMap((score) => score.ranks.map((rank, index) => ({ position: index + 1, category: classifyRank(rank), kl: score.kl[index]! })));
  return {
    label,
    ids,
    prefixTokens,
    overall: summarizeSplit(positions),
    byBucket: positionBuckets.map((bucket) => ({
      bucket: bucket.label,
      from: bucket.from,
      to: bucket.to,
      ...summarizeSplit(positions.filter((entry) => entry.position >= bucket.from && (bucket.to === null || entry.position <= bucket.to))),
    })),
    perQuery: scores.map((score, index) => {
      const split = summarizeSplit(score.ranks.map((rank, position) => ({ category: classifyRank(rank), kl: score.kl[position]! })));
      return { id: answers[index]!.id, shiftedShare: split.shiftedShare, meanKl: split.meanKl };
    }),
  };
}

function closureOf(zeroShot: readonly QueryScore[], chosen: readonly QueryScore[]): Closure {
  const category = (rank: number): { category: ShiftCategory } => ({ category: classifyRank(rank) });
  return computeClosure(zeroShot.flatMap((score, query) => score.ranks.map((rank, index) => ({ zeroShot: category(rank), urial: category(chosen[query]!.ranks[index]!) }))));
}

function modelInfo(info: ScoringModelInfo) {
  return { name: info.name, path: info.path, vocabularySize: info.vocabularySize, contextSize: info.contextSize };
}

function normalize(query: string): string {
  return query.trim().replace(/\s+/g, " ").toLowerCase();
}

function shuffled(length: number, random: () => number): number[] {
  const items = Array.from({ length }, (_, index) => index);
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}
