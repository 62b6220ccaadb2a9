/**
 * Teacher forcing on the real stories260K model: the distributions are raw
 * (the plain softmax of the logits over the whole vocabulary), one batched
 * pass gives what a per-token replay gives, and the cached prefix is reused.
 */
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScoringRuntime } from "../../src/engine/llama-scoring-runtime.js";
import type { ScoringModel, ScoringRuntime } from "../../src/engine/scoring-model.js";
import { baseModelExists, baseModelPath, baseSuiteTitle, scoringSettings } from "../shift/support/shift-test-models.js";

/** All distributions of one teacher-forced pass, copied. */
async function distributions(model: ScoringModel, lane: number, context: readonly number[], answer: readonly number[]) {
  const result: Float32Array[] = [];
  const pass = await model.teacherForce(lane, context, answer, (index, probabilities) => {
    result[index] = probabilities.slice();
  });
  return { result, pass };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let index = 0; index < a.length; index += 1) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}

describe.skipIf(!baseModelExists)(baseSuiteTitle("teacher forcing on stories260K"), () => {
  let runtime: ScoringRuntime;
  let model: ScoringModel;
  let context: number[];
  let answer: number[];

  beforeAll(async () => {
    runtime = await startScoringRuntime({ threads: scoringSettings.threads, batchThreads: scoringSettings.batchThreads, gpu: scoringSettings.gpu });
    model = await runtime.loadModel({ modelPath: baseModelPath, contextSize: scoringSettings.contextSize, lanes: 2 });
    context = model.tokenize("Once upon a time");
    answer = (await model.generate(0, context, { maxTokens: 40 })).tokens;
  });

  afterAll(async () => {
    await runtime?.dispose();
  });

  it("generates the greedy continuation documented for this model", () => {
    expect(model.detokenize(answer).startsWith(", there was a little girl named Lily")).toBe(true);
    expect(answer).toHaveLength(40);
    expect(model.info).toMatchObject({ vocabularySize: 512, contextSize: 512, chatTemplate: null });
  });

  it("gives the raw distribution: the softmax of the logits over the whole vocabulary", async () => {
    const { result } = await distributions(model, 1, context, answer.slice(0, 3));
    // The reference: the logits of the same positions straight from node-llama-cpp.
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
    const reference = await llama.loadModel({ modelPath: baseModelPath });
    const sequence = (await reference.createContext({ contextSize: 512, threads: 1 })).getSequence();
    const withLogits = (token: number) => [token as Token, { generateNext: { logits: true } }] as [Token, { generateNext: { logits: true } }];
    const items = [...(context.slice(0, -1) as Token[]), withLogits(context.at(-1)!), withLogits(answer[0]!), withLogits(answer[1]!)];
    const outputs = await sequence.controlledEvaluate(items);
    for (let index = 0; index < 3; index += 1) {
      const logits = outputs[context.length - 1 + index]!.next.logits!;
      expect(logits.size).toBe(512);
      const max = Math.max(...logits.values());
      const total = [...logits.values()].reduce((sum, logit) => sum + Math.exp(logit - max), 0);
      const softmax = new Float32Array(512);
      for (const [id, logit] of logits) softmax[id] = Math.exp(logit - max) / total;
      expect(maxDifference(result[index]!, softmax)).toBeLessThan(1e-5);
      // No top-k / top-p / min-p truncation: every token keeps some probability.
      expect(result[index]!.every((p) => p > 0)).toBe(true);
      expect(result[index]!.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    }
    await llama.dispose();
  });

  it("gives in one pass what a per-token replay gives", async () => {
    await model.resetLane(1);
    const { result, pass } = await distributions(model, 1, context, answer);
    expect(result).toHaveLength(answer.length);
    expect(pass).toEqual({ cachedTokens: 0, evaluatedTokens: context.length + answer.length - 1 });
    for (const index of [0, 1, 17, answer.length - 1]) {
      await model.resetLane(0);
      // Replay: the whole prefix evaluated again, one answer token scored.
      const replay = await distributions(model, 0, [...context, ...answer.slice(0, index)], [answer[index]!]);
      expect(replay.result).toHaveLength(1);
      expect(maxDifference(result[index]!, replay.result[0]!), `position ${index}`).toBeLessThan(1e-5);
    }
  });

  it("the greedy answer is the model's top choice at every position (rank 1)", async () => {
    const { result } = await distributions(model, 1, context, answer);
    result.forEach((distribution, index) => {
      const token = answer[index]!;
      expect(distribution.filter((p) => p > distribution[token]!).length, `position ${index}`).toBe(0);
    });
  });

  it("reuses the cached context: only the last context token and the answer are evaluated again", async () => {
    const first = await distributions(model, 1, context, answer);
    const again = await distributions(model, 1, context, answer.slice(0, 10));
    expect(again.pass).toEqual({ cachedTokens: context.length - 1, evaluatedTokens: 10 });
    for (let index = 0; index < 10; index += 1) expect(maxDifference(first.result[index]!, again.result[index]!)).toBeLessThan(1e-5);
    // A different answer after the same context keeps the context too.
    const other = await distributions(model, 1, context, model.tokenizeContinuation(" in a big house"));
    expect(other.pass.cachedTokens).toBe(context.length - 1);
  });

  it("refuses an answer that does not fit the context, with the numbers", async () => {
    const long = Array.from({ length: 600 }, () => answer[0]!);
    await expect(model.teacherForce(1, context, long, () => {})).rejects.toThrow(`the context (${context.length} tokens) and the answer (600 tokens) do not fit the 512-token context`);
  });

  it("does nothing for an empty answer", async () => {
    let calls = 0;
    await expect(model.teacherForce(1, context, [], () => (calls += 1))).resolves.toEqual({ cachedTokens: 0, evaluatedTokens: 0 });
    expect(calls).toBe(0);
  });

  it("passes on an error thrown by the position callback", async () => {
    await expect(
      model.teacherForce(1, context, answer.slice(0, 3), () => {
        throw new Error("callback failed");
      }),
    ).rejects.toThrow("callback failed");
  });
});
