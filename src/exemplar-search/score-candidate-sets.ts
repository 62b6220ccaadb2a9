/**
 * @module exemplar-search/score-candidate-sets
 * The objective's measurement: the chat model's held-out answers
 * teacher-forced through the base model under a candidate set's URIAL
 * context (the set's system prompt and exemplars, then the query — what the
 * server would send), or under the zero-shot context. Each answer costs one
 * batched pass (`ScoringModel.teacherForce`) on one lane that keeps its KV
 * cache, and sets are scored in an order where consecutive contexts share
 * their start: the system prompt and the exemplars chosen so far stay
 * cached, so a candidate costs its own exemplar's tokens plus the held-out
 * queries and answers. Every (context, answer) score goes to the resumable
 * cache.
 */
import type { Exemplar } from "../catalog/catalog-schema.js";
import { exemplarExchanges } from "../catalog/catalog.js";
import type { ScoringModel } from "../engine/scoring-model.js";
import { openAnswerBlock, renderQueryBlock, renderUrialPrompt } from "../prompt/render-urial-prompt.js";
import { renderBaseContexts } from "../shift/render-base-contexts.js";
import type { HeldOutAnswer } from "./prepare-held-out.js";
import { searchCacheKey, type CachedScore, type SearchCache } from "./search-cache.js";
import { sparseKlDivergence } from "./sparse-distribution.js";

/** The base model's view of one held-out answer under one context. */
export type QueryScore = Pick<CachedScore, "ranks" | "kl">;

/** Which context to read the answers in: zero-shot, or a set's URIAL context. */
export type ScoringContext = { kind: "zeroShot" } | { kind: "set"; exemplars: readonly Exemplar[] };

export interface SetScorerOptions {
  base: ScoringModel;
  /** Answers already cut to the length every set within the budget can score (see `cutToBudget`). */
  answers: readonly HeldOutAnswer[];
  systemPrompt: string;
  maxPrefixTokens: number;
  /** Identifies the base and chat models (fingerprints, context) in cache keys. */
  identity: string;
  cache: SearchCache;
}

export interface ScorerStats {
  /** (context, answer) pairs scored by the model. */
  scored: number;
  /** Pairs read from the cache. */
  cacheHits: number;
  /** Tokens the base model evaluated. */
  evaluatedTokens: number;
  /** Tokens reused from the lane's KV cache. */
  reusedTokens: number;
}

export interface SetScorer {
  /** Tokens of the set's prefix (system prompt + exemplars), as lint counts them. */
  prefixTokens(exemplars: readonly Exemplar[]): number;
  /** Scores the answers of `queries` (indexes) in `context`; null when the set exceeds the prefix budget. */
  score(context: ScoringContext, queries: readonly number[]): Promise<QueryScore[] | null>;
  readonly stats: ScorerStats;
}

const lane = 0;

export function createSetScorer(options: SetScorerOptions): SetScorer {
  const { base, answers, cache } = options;
  const prefixMemo = new Map<string, number>();
  const stats: ScorerStats = { scored: 0, cacheHits: 0, evaluatedTokens: 0, reusedTokens: 0 };
  const set = (exemplars: readonly Exemplar[]) => ({ systemPrompt: options.systemPrompt, exemplars });
  const prefixTokens = (exemplars: readonly Exemplar[]) => {
    const key = exemplars.map((exemplar) => exemplar.id).join("\u0000");
    let tokens = prefixMemo.get(key);
    if (tokens === undefined) {
      const rendered = renderUrialPrompt({ system: options.systemPrompt, exemplars: exemplarExchanges(set(exemplars)), history: [], query: "?", template: "urial" });
      tokens = base.tokenize(rendered.text.slice(0, rendered.prefixLength)).length;
      prefixMemo.set(key, tokens);
    }
    return tokens;
  };
  return {
    prefixTokens,
    stats,
    async score(context, queries) {
      if (context.kind === "set" && prefixTokens(context.exemplars) > options.maxPrefixTokens) return null;
      const results: QueryScore[] = [];
      for (const index of queries) {
        const answer = answers[index]!;
        const texts = renderBaseContexts(set(context.kind === "set" ? context.exemplars : []), answer.query);
        const tokens = base.tokenize(context.kind === "set" ? texts.urial : texts.zeroShot);
        // The budget keeps this from happening; a tokenization edge that still overflows makes the set not fit.
        if (tokens.length + answer.tokens.length - 1 > base.info.contextSize) return null;
        const key = searchCacheKey("score", options.identity, tokens, answer.tokens);
        const cached = cache.score(key);
        if (cached) {
          stats.cacheHits += 1;
          results.push({ ranks: cached.ranks, kl: cached.kl });
          continue;
        }
        const ranks: number[] = [];
        const kl: number[] = [];
        const pass = await base.teacherForce(lane, tokens, answer.tokens, (position, probabilities) => {
          const token = answer.tokens[position]!;
          const probability = probabilities[token]!;
          let above = 0;
          for (let id = 0; id < probabilities.length; id += 1) if (probabilities[id]! > probability) above += 1;
          ranks[position] = above + 1;
          kl[position] = Number(sparseKlDivergence(answer.chatDistributions[position]!, probabilities).toPrecision(6));
        });
        stats.scored += 1;
        stats.evaluatedTokens += pass.evaluatedTokens;
        stats.reusedTokens += pass.cachedTokens;
        await cache.store(key, { kind: "score", ranks, kl });
        results.push({ ranks, kl });
      }
      return results;
    },
  };
}

/**
 * Cuts each answer so that the longest prefix the budget allows, its query
 * block and the answer fit the base model's context; every set within the
 * budget then scores exactly the same positions, which keeps their
 * objectives comparable. A few tokens are kept spare for tokenization at the
 * joins.
 */
export function cutToBudget(base: ScoringModel, answers: readonly HeldOutAnswer[], maxPrefixTokens: number): { answers: HeldOutAnswer[]; cut: number[] } {
  const spare = 4;
  const cut: number[] = [];
  const kept = answers.map((answer, index) => {
    const queryTokens = base.tokenizeContinuation(renderQueryBlock(answer.query) + openAnswerBlock("urial")).length;
    const room = base.info.contextSize - maxPrefixTokens - queryTokens - spare + 1;
    if (answer.tokens.length <= room) return answer;
    cut.push(index);
    const length = Math.max(0, room);
    return { ...answer, tokens: answer.tokens.slice(0, length), chatRanks: answer.chatRanks.slice(0, length), chatDistributions: answer.chatDistributions.slice(0, length) };
  });
  return { answers: kept, cut };
}

/** Tokens the longest held-out query block + answer needs: what the default prefix budget leaves room for. */
export function longestQueryAndAnswer(base: ScoringModel, answers: readonly HeldOutAnswer[]): number {
  return Math.max(0, ...answers.map((answer) => base.tokenizeContinuation(renderQueryBlock(answer.query) + openAnswerBlock("urial")).length + answer.tokens.length));
}
