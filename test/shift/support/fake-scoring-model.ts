/**
 * @module test/shift/support/fake-scoring-model
 * A deterministic `ScoringModel` for the analysis layers (no llama.cpp):
 * one token per character (id = 4 + code point mod 60; BOS 1, EOS 2), a
 * bigram "model" whose next-token distribution depends only on the previous
 * token (a softmax over a seeded table), greedy generation, and lanes that
 * remember their tokens so prefix reuse is reported like the real engine.
 * Every teacher-forced call is recorded for assertions.
 */
import {
  ChatTemplateError,
  type ChatPrompt,
  type GenerateAnswerOptions,
  type GeneratedAnswer,
  type PositionCallback,
  type ScoringModel,
  type ScoringModelInfo,
  type TeacherForceResult,
} from "../../../src/engine/scoring-model.js";

export const fakeVocabularySize = 64;
export const fakeBos = 1;
export const fakeEos = 2;

export interface FakeScoringModelOptions {
  /** Seeds the bigram table; two models with the same seed are the same model. */
  seed: number;
  /** Defaults to 512. */
  contextSize?: number;
  /** Defaults to 2. */
  lanes?: number;
  /** Defaults to true; false: `chatPrompt` throws. */
  chatTemplate?: boolean;
  /** Defaults to the real vocabulary size. */
  vocabularySize?: number;
  /** Shifts every character's id (a "different tokenizer"). Defaults to 0. */
  tokenOffset?: number;
  /** Pushes EOS up after this many answer tokens. Defaults to never. */
  eosAfter?: number;
  name?: string;
}

export interface TeacherForceCall {
  lane: number;
  context: number[];
  answer: number[];
  cachedTokens: number;
}

/** Creates the fake. */
export function createFakeScoringModel(options: FakeScoringModelOptions): ScoringModel & { calls: TeacherForceCall[]; distributionAfter(previous: number, answerIndex?: number): Float32Array } {
  const vocabularySize = options.vocabularySize ?? fakeVocabularySize;
  const contextSize = options.contextSize ?? 512;
  const offset = options.tokenOffset ?? 0;
  const table = bigramTable(options.seed, vocabularySize);
  const lanes: number[][] = Array.from({ length: options.lanes ?? 2 }, () => []);
  const calls: TeacherForceCall[] = [];
  const info: ScoringModelInfo = {
    name: options.name ?? `fake-${options.seed}`,
    path: `/fake/${options.name ?? options.seed}.gguf`,
    vocabularySize,
    contextSize,
    chatTemplate: options.chatTemplate === false ? null : "gguf",
  };
  const tokenOf = (character: string) => 4 + ((character.codePointAt(0)! + offset) % 60);
  const textOf = (token: number) => (token === fakeEos ? "</s>" : token === fakeBos ? "<s>" : token < 4 ? "" : String.fromCodePoint(((token - 4 + 60 - (offset % 60)) % 60) + 60));
  const plain = (text: string) => [...text].map(tokenOf);
  const distributionAfter = (previous: number, answerIndex = -1) => {
    const row = table[previous % vocabularySize]!.slice();
    if (options.eosAfter !== undefined && answerIndex >= options.eosAfter) {
      // EOS becomes the most likely token; renormalised, so it stays a distribution.
      row[fakeEos] = Math.max(...row) * 2;
      const total = row.reduce((sum, p) => sum + p, 0);
      for (let id = 0; id < row.length; id += 1) row[id] = row[id]! / total;
    }
    return row;
  };
  const lane = (index: number) => {
    const tokens = lanes[index];
    if (!tokens) throw new Error(`no lane ${index}`);
    return tokens;
  };
  const reuse = (index: number, tokens: readonly number[], limit: number) => {
    const cached = lane(index);
    let same = 0;
    while (same < cached.length && same < tokens.length && cached[same] === tokens[same]) same += 1;
    return Math.min(same, limit);
  };
  return {
    info,
    calls,
    distributionAfter: (previous, answerIndex) => distributionAfter(previous, answerIndex),
    tokenize: (text) => [fakeBos, ...plain(text)],
    tokenizeContinuation: (text) => plain(text),
    detokenize: (tokens) => tokens.map(textOf).join(""),
    tokenText: (token) => textOf(token),
    isEndOfGeneration: (token) => token === fakeEos,
    chatPrompt(query): ChatPrompt {
      if (options.chatTemplate === false) throw new ChatTemplateError("no chat template");
      const tokens = [fakeBos, ...plain(`User: ${query}\nAssistant:`)];
      return { tokens, text: `<s>User: ${query}\nAssistant:` };
    },
    async generate(laneIndex, prompt, generateOptions: GenerateAnswerOptions): Promise<GeneratedAnswer> {
      const maxTokens = Math.min(generateOptions.maxTokens, contextSize - prompt.length);
      const tokens: number[] = [];
      let previous = prompt[prompt.length - 1]!;
      while (tokens.length < maxTokens) {
        const row = distributionAfter(previous, tokens.length);
        const next = row.indexOf(Math.max(...row));
        tokens.push(next);
        if (next === fakeEos) {
          lanes[laneIndex] = [...prompt, ...tokens.slice(0, -1)];
          return { tokens, stopReason: "eos" };
        }
        previous = next;
      }
      lanes[laneIndex] = [...prompt, ...tokens.slice(0, -1)];
      return { tokens, stopReason: "length" };
    },
    async teacherForce(laneIndex, context, answer, onPosition: PositionCallback): Promise<TeacherForceResult> {
      if (context.length === 0) throw new Error("empty context");
      if (answer.length === 0) return { cachedTokens: 0, evaluatedTokens: 0 };
      const tokens = [...context, ...answer.slice(0, -1)];
      if (tokens.length > contextSize) throw new Error(`${tokens.length} tokens do not fit ${contextSize}`);
      const cachedTokens = reuse(laneIndex, tokens, context.length - 1);
      calls.push({ lane: laneIndex, context: [...context], answer: [...answer], cachedTokens });
      answer.forEach((_, index) => {
        const previous = index === 0 ? context[context.length - 1]! : answer[index - 1]!;
        onPosition(index, distributionAfter(previous, index));
      });
      lanes[laneIndex] = tokens;
      return { cachedTokens, evaluatedTokens: tokens.length - cachedTokens };
    },
    async resetLane(laneIndex) {
      lanes[laneIndex] = [];
    },
    async dispose() {},
  };
}

/** Row r: a softmax over seeded pseudo-random logits. */
function bigramTable(seed: number, size: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: deterministic and good enough for a table of logits.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return Array.from({ length: size }, () => {
    const logits = Array.from({ length: size }, () => random() * 8);
    const max = Math.max(...logits);
    const weights = logits.map((logit) => Math.exp(logit - max));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return Float32Array.from(weights.map((weight) => weight / total));
  });
}
