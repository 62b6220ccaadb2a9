/**
 * @module bench/measure/memory-probe
 * Run as a child process: loads the engine with one configuration, generates
 * a few tokens on every sequence, and prints its resident memory as JSON.
 * `node dist/bench/measure/memory-probe.js MODEL CONTEXT PARALLEL THREADS`
 */
import { startLlamaEngine } from "../../src/engine/llama-engine.js";

const [modelPath, contextSize, parallel, threads] = process.argv.slice(2);
const engine = await startLlamaEngine({
  modelPath: modelPath!,
  contextSize: Number(contextSize),
  parallel: Number(parallel),
  threads: Number(threads),
  gpu: false,
  maxQueue: 0,
});
const sampling = { temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, frequencyPenalty: 0, presencePenalty: 0, penaltyLastTokens: 64 };
const prompt = engine.tokenize("Once upon a time");
const slots = await Promise.all(Array.from({ length: Number(parallel) }, () => engine.acquire(prompt)));
await Promise.all(
  slots.map(async (slot) => {
    for await (const event of slot.generate(prompt, { maxTokens: 4, sampling })) void event;
    slot.release();
  }),
);
process.stdout.write(JSON.stringify({ rssBytes: process.memoryUsage().rss }) + "\n");
await engine.dispose();
