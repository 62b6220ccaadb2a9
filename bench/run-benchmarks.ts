/**
 * @module bench/run-benchmarks
 * `npm run bench -- --model PATH [--tokens N] [--rounds N]`
 *
 * Measures, on the real engine, what the serve defaults rest on:
 * 1. the thread sweep — decode tokens/s for 1..cores threads and for
 *    node-llama-cpp's own CPU default (max(cores, 4)), so the default we pick
 *    (the physical core count) can be compared with the best hand-picked count;
 * 2. prefix reuse — time to first token for a URIAL-shaped prompt cold (empty
 *    sequence) vs warm (same prefix cached, new query), and the cached count.
 * Configurations are interleaved round by round; medians are printed as a
 * markdown table and written to bench/results/<time>.json. No assertions:
 * these are measurements to read, not tests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { physicalCoreCount } from "../src/config/physical-core-count.js";
import { startLlamaEngine } from "../src/engine/llama-engine.js";
import type { Engine, SamplingOptions } from "../src/engine/engine.js";
import { renderUrialPrompt } from "../src/prompt/render-urial-prompt.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: process.env.URIAL_TEST_MODEL ?? resolve("../shared/models/stories260K.gguf") },
    tokens: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    "context-size": { type: "string", default: "512" },
  },
});
const modelPath = values.model!;
const tokens = Number(values.tokens);
const rounds = Number(values.rounds);
const contextSize = Number(values["context-size"]);
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, frequencyPenalty: 0, presencePenalty: 0, penaltyLastTokens: 64 };

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Decode speed: tokens/s over `tokens` greedy tokens after a short prompt. */
async function decodeSpeed(engine: Engine): Promise<number> {
  const prompt = engine.tokenize("Once upon a time");
  const slot = await engine.acquire(prompt);
  try {
    let started = 0;
    let count = 0;
    for await (const event of slot.generate(prompt, { maxTokens: tokens, sampling: greedy })) {
      if (event.type === "prefilled") started = performance.now();
      if (event.type === "token") count += 1;
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    slot.release();
  }
}

/** Milliseconds from the start of a generation to its first token. */
async function timeToFirstToken(engine: Engine, prompt: number[]): Promise<{ ms: number; cached: number }> {
  const slot = await engine.acquire(prompt);
  try {
    const started = performance.now();
    let cached = 0;
    for await (const event of slot.generate(prompt, { maxTokens: 1, sampling: greedy })) {
      if (event.type === "prefilled") cached = event.cachedTokens;
      if (event.type === "token") return { ms: performance.now() - started, cached };
    }
    return { ms: performance.now() - started, cached };
  } finally {
    slot.release();
  }
}

const cores = physicalCoreCount();
const threadCounts = [...new Set([...Array.from({ length: cores }, (_, index) => index + 1), Math.max(cores, 4)])];
const engines = new Map<number, Engine>();
for (const threads of threadCounts) {
  engines.set(threads, await startLlamaEngine({ modelPath, threads, gpu: false, contextSize, parallel: 1, maxQueue: 0 }));
}
const speeds = new Map<number, number[]>(threadCounts.map((threads) => [threads, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const threads of threadCounts) speeds.get(threads)!.push(await decodeSpeed(engines.get(threads)!));
}

const engine = engines.get(cores)!;
const exemplar = { query: "Tell me about a cat.", answer: "Sure! Once upon a time, there was a cat named Tom. Tom liked to play. The end." };
const render = (query: string) =>
  engine.tokenize(renderUrialPrompt({ system: "A kind helper answers with a short story.", exemplars: [exemplar, exemplar], history: [], query }).text);
const cold: number[] = [];
const warm: number[] = [];
let cachedWarm = 0;
let promptLength = 0;
for (let round = 0; round < rounds; round += 1) {
  const fresh = await startLlamaEngine({ modelPath, threads: cores, gpu: false, contextSize, parallel: 1, maxQueue: 0 });
  const prompt = render(`Tell me about a dog number ${round}.`);
  promptLength = prompt.length;
  cold.push((await timeToFirstToken(fresh, prompt)).ms);
  const second = await timeToFirstToken(fresh, render(`Tell me about a bird number ${round}.`));
  warm.push(second.ms);
  cachedWarm = second.cached;
  await fresh.dispose();
}
for (const each of engines.values()) await each.dispose();

const rows = threadCounts.map((threads) => ({
  threads,
  tokensPerSecond: median(speeds.get(threads)!),
  note: threads === cores ? "urial default (physical cores)" : threads === Math.max(cores, 4) ? "node-llama-cpp CPU default" : "",
}));
const best = Math.max(...rows.map((row) => row.tokensPerSecond));
console.log(`\nModel: ${modelPath}\n\n| threads | decode tok/s (median of ${rounds}) | vs best | note |\n|---|---|---|---|`);
for (const row of rows) console.log(`| ${row.threads} | ${row.tokensPerSecond.toFixed(1)} | ${(row.tokensPerSecond / best).toFixed(2)} | ${row.note} |`);
console.log(`\n| prompt (${promptLength} tokens) | TTFT ms (median of ${rounds}) | cached tokens |\n|---|---|---|`);
console.log(`| cold (empty sequence) | ${median(cold).toFixed(1)} | 0 |`);
console.log(`| warm (same prefix, new query) | ${median(warm).toFixed(1)} | ${cachedWarm} |`);
console.log(`\nwarm / cold TTFT: ${(median(warm) / median(cold)).toFixed(2)}`);
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify({ modelPath, tokens, rounds, cores, threads: rows, ttft: { cold, warm, cachedWarm, promptLength } }, null, 2));
console.log(`\nwrote ${file}`);
