/**
 * @module bench/shift-scoring
 * `npm run bench:shift -- [--model PATH] [--tokens N] [--rounds N] [--threads N] [--context-size N]`
 *
 * What the shift analyser's one-pass teacher forcing saves: the same answer
 * scored (full next-token distribution at every position) three ways on the
 * real engine, each on an empty cache:
 * 1. single pass — context + answer in one batched `controlledEvaluate`
 *    (what `urial shift` does);
 * 2. per-token replay — for each answer token, a fresh forward pass over the
 *    context and the answer so far (what the reference scripts do: O(n²));
 * 3. per-token with the prefix cached — the replay on one sequence, each step
 *    evaluating only the new token (one decode call per token).
 * Medians over rounds; the single-pass vs replay ratio is printed, along with
 * the largest probability difference from the single pass (a correctness
 * check: ~1e-6 for the replay, which evaluates the same batches; up to ~1e-3
 * for one-token stepping, whose decode runs through other kernels over the
 * F16 KV cache — see ENGINE-NOTES). Measurements to read, not tests: no
 * assertions.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startScoringRuntime } from "../src/engine/llama-scoring-runtime.js";
import type { ScoringModel } from "../src/engine/scoring-model.js";
import { renderUrialPrompt } from "../src/prompt/render-urial-prompt.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: process.env.URIAL_TEST_MODEL ?? resolve("../shared/models/stories260K.gguf") },
    tokens: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
    "context-size": { type: "string", default: "512" },
  },
});
const modelPath = values.model!;
const rounds = Number(values.rounds);
const threads = Number(values.threads);
const contextSize = Number(values["context-size"]);

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

/** Scores `answer` after `context`; returns the distributions (copied) and the milliseconds taken. */
async function singlePass(model: ScoringModel, context: number[], answer: number[]) {
  await model.resetLane(0);
  const distributions: Float32Array[] = [];
  const started = performance.now();
  await model.teacherForce(0, context, answer, (index, probabilities) => {
    distributions[index] = probabilities.slice();
  });
  return { ms: performance.now() - started, distributions };
}

/** One forward pass per answer token; `cached` keeps the sequence between steps. */
async function perToken(model: ScoringModel, context: number[], answer: number[], cached: boolean) {
  const distributions: Float32Array[] = [];
  await model.resetLane(0);
  const started = performance.now();
  for (let index = 0; index < answer.length; index += 1) {
    if (!cached) await model.resetLane(0);
    await model.teacherForce(0, [...context, ...answer.slice(0, index)], [answer[index]!], (_, probabilities) => {
      distributions[index] = probabilities.slice();
    });
  }
  return { ms: performance.now() - started, distributions };
}

function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  let largest = 0;
  a.forEach((row, position) => row.forEach((p, id) => (largest = Math.max(largest, Math.abs(p - b[position]![id]!)))));
  return largest;
}

const runtime = await startScoringRuntime({ threads, gpu: false });
try {
  const model = await runtime.loadModel({ modelPath, contextSize, lanes: 1 });
  const context = model.tokenize(renderUrialPrompt({ system: "", exemplars: [], history: [], query: "Tell me a story about a cat who finds a hat." }).text);
  const wanted = Math.min(Number(values.tokens), contextSize - context.length);
  // A long greedy answer, forced to the wanted length (EOS would end it early).
  let answer = (await model.generate(0, context, { maxTokens: wanted })).tokens;
  while (answer.length < wanted) answer = [...answer, ...answer].slice(0, wanted);

  const single: number[] = [];
  const replay: number[] = [];
  const stepped: number[] = [];
  let replayDifference = 0;
  let steppedDifference = 0;
  for (let round = 0; round < rounds; round += 1) {
    const one = await singlePass(model, context, answer);
    const again = await perToken(model, context, answer, false);
    const step = await perToken(model, context, answer, true);
    single.push(one.ms);
    replay.push(again.ms);
    stepped.push(step.ms);
    replayDifference = Math.max(replayDifference, largestDifference(one.distributions, again.distributions));
    steppedDifference = Math.max(steppedDifference, largestDifference(one.distributions, step.distributions));
  }
  const replayedTokens = answer.length * context.length + (answer.length * (answer.length - 1)) / 2;
  process.stdout.write(
    [
      `Shift scoring on ${model.info.name} (${modelPath}): context ${context.length} tokens, answer ${answer.length} tokens, ${threads} thread(s), vocabulary ${model.info.vocabularySize}, median of ${rounds} round(s)`,
      "",
      "| method | tokens evaluated | ms (median) |",
      "|---|---:|---:|",
      `| single pass (urial shift) | ${context.length + answer.length - 1} | ${median(single).toFixed(1)} |`,
      `| per-token replay (reference scripts) | ${replayedTokens} | ${median(replay).toFixed(1)} |`,
      `| per-token, prefix cached | ${context.length + answer.length - 1} | ${median(stepped).toFixed(1)} |`,
      "",
      `single pass is ${(median(replay) / median(single)).toFixed(1)}× faster than per-token replay, ${(median(stepped) / median(single)).toFixed(1)}× faster than per-token stepping with the cache`,
      `largest probability difference from the single pass: replay ${replayDifference.toExponential(2)}, stepping ${steppedDifference.toExponential(2)}`,
      "",
    ].join("\n"),
  );
} finally {
  await runtime.dispose();
}
