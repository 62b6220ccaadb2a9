/**
 * @module bench/measure/raw-decode-process
 * A child process for the engine-threads section: node-llama-cpp alone, with
 * llama.cpp's own counters on. It loads the model, holds the prompt, then
 * decodes once per line read on stdin and prints one JSON line:
 * `{ "rate": tokens/s at the generator, "insideDecode": tokens/s by llama.cpp's
 * "eval time" }`. Its own process, because node-llama-cpp's log callback is
 * one per process and the bench's other engines hold it already.
 *
 * argv: MODEL THREADS CONTEXT_SIZE COUNT PROMPT_JSON_FILE
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { parseEvalTiming } from "./parse-eval-timing.js";
import { holdTokens } from "./raw-llama.js";

const [modelPath, threadsArg, contextArg, countArg, promptFile] = process.argv.slice(2);
const threads = Number(threadsArg);
const count = Number(countArg);
const prompt = JSON.parse(readFileSync(promptFile!, "utf8")) as Token[];
let log = "";
const llama = await getLlama({
  gpu: false,
  build: "never",
  maxThreads: threads,
  logLevel: LlamaLogLevel.info,
  logger: (_level, message) => {
    log = (log + (message.endsWith("\n") ? message : `${message}\n`)).slice(-20_000);
  },
});
const model = await llama.loadModel({ modelPath: modelPath! });
const context = await model.createContext({ contextSize: Number(contextArg), sequences: 1, threads, flashAttention: false, performanceTracking: true });
const sequence = context.getSequence();
const held = prompt.slice(0, -1);
await holdTokens(sequence, held);
const logged = () => new Promise((resolve) => setTimeout(resolve, 20)); // the log comes through the event loop
console.log(JSON.stringify({ ready: true }));

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== "decode") break;
  await holdTokens(sequence, held); // drops the previous round's answer
  await context.printTimings(); // and so resets llama.cpp's counters
  await logged();
  log = "";
  let produced = 0;
  let first = 0;
  for await (const token of sequence.evaluate([prompt[prompt.length - 1]!], { temperature: 0, topK: 0, topP: 1, minP: 0, yieldEogToken: true })) {
    void token;
    produced += 1;
    if (produced === 1) first = performance.now();
    if (produced >= count) break;
  }
  const seconds = (performance.now() - first) / 1000;
  await context.printTimings();
  await logged();
  const inside = parseEvalTiming(log);
  console.log(JSON.stringify({ rate: produced > 1 ? (produced - 1) / seconds : 0, insideDecode: inside && inside.ms > 0 ? inside.runs / (inside.ms / 1000) : null }));
}
await context.dispose();
await model.dispose();
await llama.dispose();
