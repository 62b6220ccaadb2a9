/**
 * @module shift/analyse-prompt
 * The token-distribution-shift analysis of one query:
 * 1. the chat model answers with its own chat template (or the answer is given);
 * 2. the answer is teacher-forced through the chat model once, and through the
 *    base model once per context (zero-shot, URIAL) — one batched pass each,
 *    on its own lane so the context prefix stays cached across queries;
 * 3. every position gets the base rank η of the chat token, both models'
 *    probabilities and top-k, KL(chat ‖ base) and the category.
 * An answer longer than a context leaves room for is cut and marked.
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ScoringModel } from "../engine/scoring-model.js";
import { classifyRank } from "./classify-rank.js";
import { klDivergence } from "./kl-divergence.js";
import { renderBaseContexts } from "./render-base-contexts.js";
import { scoreDistribution, type DistributionScore } from "./score-distribution.js";
import type { BaseContextName, BaseScore, PromptShift, TopToken } from "./shift-schema.js";
import { summarizePrompt } from "./summarize-shift.js";

/** The model pair. The base model needs two lanes (one per context), the chat model one. */
export interface ShiftModels {
  base: ScoringModel;
  chat: ScoringModel;
}

/** Which base lane holds which context, so each keeps its prefix cached. */
export const baseLanes: Readonly<Record<BaseContextName, number>> = { zeroShot: 0, urial: 1 };
export const chatLane = 0;

export interface ShiftPrompt {
  id: string;
  query: string;
  /** Score this answer instead of generating one. */
  answer?: string;
}

export interface ShiftOptions {
  /** Alternatives kept per position and model. */
  topK: number;
  /** Most answer tokens to generate. */
  maxTokens: number;
  /** 0: greedy. */
  temperature: number;
  seed?: number;
  /** The set that makes the URIAL context. */
  exemplarSet: Pick<ExemplarSet, "systemPrompt" | "exemplars">;
}

/** Runs the analysis for one prompt. Calls on the same models must not overlap. */
export async function analysePrompt(models: ShiftModels, prompt: ShiftPrompt, options: ShiftOptions): Promise<PromptShift> {
  const { base, chat } = models;
  const chatPrompt = chat.chatPrompt(prompt.query);
  // A query too long for the chat model's context gets no answer (marked as cut), not an error.
  const chatRoom = chat.info.contextSize - chatPrompt.tokens.length;
  let answer: number[];
  let stopReason: PromptShift["answer"]["stopReason"];
  if (chatRoom <= 0) {
    answer = [];
    stopReason = "length";
  } else if (prompt.answer !== undefined) {
    answer = chat.tokenizeContinuation(prompt.answer);
    stopReason = "given";
  } else {
    const generated = await chat.generate(chatLane, chatPrompt.tokens, {
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      seed: options.seed,
    });
    answer = generated.tokens;
    stopReason = generated.stopReason;
  }

  const texts = renderBaseContexts(options.exemplarSet, prompt.query);
  const contexts: Record<BaseContextName, number[]> = { zeroShot: base.tokenize(texts.zeroShot), urial: base.tokenize(texts.urial) };
  // Context + answer − 1 tokens must fit each lane (the last answer token is never evaluated).
  const room = Math.min(chat.info.contextSize - chatPrompt.tokens.length, base.info.contextSize - contexts.zeroShot.length, base.info.contextSize - contexts.urial.length) + 1;
  const scored = answer.slice(0, Math.max(0, room));

  const chatDistributions: Float32Array[] = [];
  const chatScores: DistributionScore[] = [];
  const chatPass = await chat.teacherForce(chatLane, chatPrompt.tokens, scored, (index, probabilities) => {
    chatDistributions[index] = probabilities.slice();
    chatScores[index] = scoreDistribution(probabilities, scored[index]!, options.topK);
  });
  const baseScores: Record<BaseContextName, { score: DistributionScore; kl: number }[]> = { zeroShot: [], urial: [] };
  const cached: Record<BaseContextName, number> = { zeroShot: 0, urial: 0 };
  for (const context of ["zeroShot", "urial"] as const) {
    const pass = await base.teacherForce(baseLanes[context], contexts[context], scored, (index, probabilities) => {
      baseScores[context][index] = {
        score: scoreDistribution(probabilities, scored[index]!, options.topK),
        kl: klDivergence(chatDistributions[index]!, probabilities),
      };
    });
    cached[context] = pass.cachedTokens;
  }
  // Vocabulary-sized each: let them go before the texts are decoded.
  chatDistributions.length = 0;

  const positions = scored.map((tokenId, index) => {
    const previous = index === 0 ? chatPrompt.tokens[chatPrompt.tokens.length - 1] : scored[index - 1];
    const named = (top: DistributionScore["top"]): TopToken[] => top.map((entry) => ({ id: entry.id, text: chat.tokenText(entry.id, previous), probability: entry.probability }));
    const baseScore = (context: BaseContextName): BaseScore => {
      const { score, kl } = baseScores[context][index]!;
      return { rank: score.rank, probability: score.probability, top: named(score.top), category: classifyRank(score.rank), kl };
    };
    const chatScore = chatScores[index]!;
    return {
      position: index + 1,
      tokenId,
      text: chat.tokenText(tokenId, previous),
      special: chat.isEndOfGeneration(tokenId),
      chat: { rank: chatScore.rank, probability: chatScore.probability, top: named(chatScore.top) },
      zeroShot: baseScore("zeroShot"),
      urial: baseScore("urial"),
    };
  });

  return {
    id: prompt.id,
    query: prompt.query,
    answer: {
      text: chat.detokenize(scored.filter((token) => !chat.isEndOfGeneration(token))),
      source: prompt.answer !== undefined ? "given" : "generated",
      stopReason,
      fullTokens: answer.length,
      scoredTokens: scored.length,
      truncated: scored.length < answer.length || chatRoom <= 0,
    },
    contexts: {
      chat: { promptTokens: chatPrompt.tokens.length, cachedTokens: chatPass.cachedTokens },
      zeroShot: { promptTokens: contexts.zeroShot.length, cachedTokens: cached.zeroShot },
      urial: { promptTokens: contexts.urial.length, cachedTokens: cached.urial },
    },
    summary: summarizePrompt(positions),
    positions,
  };
}
