/**
 * @module exemplar-search/prepare-held-out
 * The chat model's side of the search, done once: its answers to the
 * held-out queries (generated with its own chat template, or given), each
 * teacher-forced through the chat model once for its own rank of every token
 * and its distribution (sparse, for KL). Also writes pool candidates from the
 * chat model's answers (`--pool-from-chat`). Generated answers are cached.
 */
import type { Exemplar } from "../catalog/catalog-schema.js";
import type { ScoringModel } from "../engine/scoring-model.js";
import type { ShiftPrompt } from "../shift/analyse-prompt.js";
import { scoreDistribution } from "../shift/score-distribution.js";
import { checkCandidate, type PoolCandidate } from "./read-pool.js";
import { searchCacheKey, type SearchCache } from "./search-cache.js";
import { SearchInputError } from "./search-input-error.js";
import { sparsifyDistribution, type SparseDistribution } from "./sparse-distribution.js";

export interface HeldOutAnswer {
  id: string;
  query: string;
  /** The whole answer (an end-of-generation token that ended it included). */
  tokens: number[];
  source: "generated" | "given";
  stopReason: "eos" | "stop" | "length" | "given";
  /** The chat model's rank of each answer token (1 everywhere for a greedy answer). */
  chatRanks: number[];
  /** The chat model's distribution before each answer token. */
  chatDistributions: SparseDistribution[];
}

export interface ChatAnswerSettings {
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Identifies the chat model in cache keys (fingerprint and context). */
  identity: string;
}

/** Generates (or reads from the cache) the chat model's answer to `query`. */
export async function answerWithChat(chat: ScoringModel, query: string, settings: ChatAnswerSettings, cache: SearchCache): Promise<{ tokens: number[]; stopReason: "eos" | "stop" | "length" }> {
  const prompt = chat.chatPrompt(query);
  if (prompt.tokens.length >= chat.info.contextSize) return { tokens: [], stopReason: "length" };
  const key = searchCacheKey("chat-answer", settings.identity, prompt.tokens, settings.maxTokens, settings.temperature, settings.seed ?? null);
  const cached = cache.answer(key);
  if (cached) return cached;
  const generated = await chat.generate(0, prompt.tokens, { maxTokens: settings.maxTokens, temperature: settings.temperature, seed: settings.seed });
  await cache.store(key, { kind: "answer", tokens: generated.tokens, stopReason: generated.stopReason });
  return generated;
}

/** The chat model's answers to the held-out queries, with its own scores of them. */
export async function prepareHeldOut(
  chat: ScoringModel,
  prompts: readonly ShiftPrompt[],
  settings: ChatAnswerSettings,
  cache: SearchCache,
  onAnswer?: (index: number, answer: HeldOutAnswer) => void,
): Promise<HeldOutAnswer[]> {
  const answers: HeldOutAnswer[] = [];
  for (const [index, prompt] of prompts.entries()) {
    let tokens: number[];
    let stopReason: HeldOutAnswer["stopReason"];
    if (prompt.answer !== undefined) {
      tokens = chat.tokenizeContinuation(prompt.answer);
      stopReason = "given";
    } else {
      ({ tokens, stopReason } = await answerWithChat(chat, prompt.query, settings, cache));
    }
    const chatPrompt = chat.chatPrompt(prompt.query);
    const room = chat.info.contextSize - chatPrompt.tokens.length + 1;
    if (tokens.length > room) tokens = tokens.slice(0, Math.max(0, room));
    if (tokens.length === 0) throw new SearchInputError(`held-out query '${prompt.id}': the chat model gave no answer to score (is the query longer than the context?)`);
    const chatRanks: number[] = [];
    const chatDistributions: SparseDistribution[] = [];
    await chat.teacherForce(0, chatPrompt.tokens, tokens, (position, probabilities) => {
      chatRanks[position] = scoreDistribution(probabilities, tokens[position]!, 1).rank;
      chatDistributions[position] = sparsifyDistribution(probabilities);
    });
    const answer: HeldOutAnswer = { id: prompt.id, query: prompt.query, tokens, source: prompt.answer !== undefined ? "given" : "generated", stopReason, chatRanks, chatDistributions };
    answers.push(answer);
    onAnswer?.(index, answer);
  }
  return answers;
}

/**
 * Pool candidates from the chat model's answers to `queries`: how a user
 * aligns a base model to a chat model they have but cannot serve. An answer
 * that could not sit in a set (it forges a block header, it is empty) is
 * left out and reported through `onSkip`.
 */
export async function poolFromChat(
  chat: ScoringModel,
  queries: readonly ShiftPrompt[],
  file: string,
  settings: ChatAnswerSettings,
  cache: SearchCache,
  onSkip: (message: string) => void,
): Promise<PoolCandidate[]> {
  const candidates: PoolCandidate[] = [];
  for (const prompt of queries) {
    const where = `${file}:${prompt.id}`;
    let text = prompt.answer;
    if (text === undefined) {
      const { tokens, stopReason } = await answerWithChat(chat, prompt.query, settings, cache);
      text = chat.detokenize(tokens.filter((token) => !chat.isEndOfGeneration(token))).trim();
      if (stopReason === "length") onSkip(`${where}: the chat model's answer was cut at ${settings.maxTokens} tokens (--pool-max-tokens); kept as it is`);
    }
    if (text.trim().length === 0) {
      onSkip(`${where}: the chat model's answer is empty; left out of the pool`);
      continue;
    }
    const exemplar: Exemplar = { id: `chat-${prompt.id}`, query: prompt.query, answer: text };
    try {
      candidates.push(checkCandidate(exemplar, "chat", where));
    } catch (error) {
      if (!(error instanceof SearchInputError)) throw error;
      onSkip(`${error.message}; left out of the pool`);
    }
  }
  return candidates;
}
