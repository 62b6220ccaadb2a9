/**
 * @module bench/measure/engine-threads-section
 * `npm run bench -- --only engine-threads`: decode speed by thread count, raw
 * node-llama-cpp against a real llama-server, with no proxy on either side —
 * where the decode gap in the side-by-side section comes from.
 *
 * For each thread count (1, half the physical cores, all of them) both
 * engines hold the same prompt tokens and decode the same greedy answer with
 * flash attention off; llama-server reports its own per-token time
 * (`timings.predicted_per_token_ms`), node-llama-cpp is timed at the
 * generator and, through llama.cpp's own counters (`performanceTracking` and
 * `printTimings`, read from the log), inside `llama_decode`. Rounds alternate
 * the engines, so drift hits both alike.
 *
 * What it showed (bench/README.md): node-llama-cpp 3.22.1 attaches no ggml
 * threadpool to its contexts, so every `llama_decode` with more than one
 * thread starts and joins its worker threads (llama.cpp's "disposable
 * threadpool"); llama-server keeps a polling pool for the life of the
 * process. On one thread the two run at the same speed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { peerExists, startPeerServer } from "./llama-server-peer.js";
import { formatSummary, summarize, type Summary } from "./stats.js";

export interface EngineThreadsOptions {
  peerPath: string;
  modelPath: string;
  contextSize: number;
  /** The prompt whose answer both engines decode (tokens of the model's own tokenizer). */
  prompt: readonly number[];
  decodeTokens: number;
  rounds: number;
  cores: number;
}

export interface EngineThreadsRow {
  threads: number;
  /** Tokens/s by llama-server's own timing. */
  peer: Summary;
  /** Tokens/s at node-llama-cpp's generator. */
  raw: Summary;
  /** Tokens/s by llama.cpp's counters inside node-llama-cpp (`llama_decode` only). */
  rawInsideDecode: Summary;
}

/** 1, half the cores and all of them (distinct, ascending). */
export function threadCounts(cores: number): number[] {
  return [...new Set([1, Math.max(1, Math.floor(cores / 2)), Math.max(1, cores)])].sort((a, b) => a - b);
}

export async function runEngineThreadsSection(options: EngineThreadsOptions): Promise<EngineThreadsRow[] | undefined> {
  const title = "## Decode by thread count: node-llama-cpp and llama-server, no proxy";
  if (!peerExists(options.peerPath)) {
    console.log(`${title}\n\nskipped: no llama-server at ${options.peerPath} (give --llama-server PATH or URIAL_LLAMA_SERVER)\n`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "urial-engine-threads-"));
  const promptFile = join(dir, "prompt.json");
  writeFileSync(promptFile, JSON.stringify(options.prompt));
  const rows: EngineThreadsRow[] = [];
  try {
    for (const threads of threadCounts(options.cores)) {
      const peer = await startPeerServer(options.peerPath, options.modelPath, options.contextSize, 1, ["-t", String(threads), "-tb", String(threads), "-fa", "off"]);
      const raw = await startRawDecoder([options.modelPath, String(threads), String(options.contextSize), String(options.decodeTokens), promptFile]);
      const peerRates: number[] = [];
      const rawRates: number[] = [];
      const insideRates: number[] = [];
      try {
        // Round 0 warms both up (llama-server evaluates the prompt then) and is not counted.
        for (let round = 0; round <= options.rounds; round += 1) {
          const peerRate = await peerDecode(peer.url, options.prompt, options.decodeTokens);
          const rawRound = await raw.decode();
          if (round === 0) continue;
          peerRates.push(peerRate);
          rawRates.push(rawRound.rate);
          if (rawRound.insideDecode !== null) insideRates.push(rawRound.insideDecode);
        }
      } finally {
        await raw.close();
        await peer.close();
      }
      rows.push({ threads, peer: summarize(peerRates), raw: summarize(rawRates), rawInsideDecode: summarize(insideRates) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${title}\n`);
  console.log(`${options.prompt.length} prompt tokens held, ${options.decodeTokens} tokens decoded greedily, flash attention off on both, ${options.rounds} rounds; tokens/s, median (min–max)\n`);
  console.log(`| threads (-t = -tb) | llama-server (its own timing) | node-llama-cpp (at the generator) | node-llama-cpp inside llama_decode | node-llama-cpp ÷ llama-server |`);
  console.log(`|---|---|---|---|---|`);
  for (const row of rows) {
    console.log(`| ${row.threads} | ${formatSummary(row.peer)} | ${formatSummary(row.raw)} | ${formatSummary(row.rawInsideDecode)} | ${(row.raw.median / row.peer.median).toFixed(3)} |`);
  }
  console.log("");
  return rows;
}

interface RawDecoder {
  decode(): Promise<{ rate: number; insideDecode: number | null }>;
  close(): Promise<void>;
}

/** Starts bench/measure/raw-decode-process and waits until it holds the prompt. */
async function startRawDecoder(args: string[]): Promise<RawDecoder> {
  const script = join(dirname(fileURLToPath(import.meta.url)), "raw-decode-process.js");
  const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([lines.next(), exited.then((code) => ({ done: true as const, value: `exit ${code}` }))]);
    if (line.done) throw new Error(`the node-llama-cpp decoder stopped (${line.value ?? "no output"})`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  await nextLine(); // { ready: true }
  return {
    async decode() {
      child.stdin!.write("decode\n");
      const result = await nextLine();
      return { rate: Number(result.rate), insideDecode: typeof result.insideDecode === "number" ? result.insideDecode : null };
    },
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** llama-server: hold `prompt` (cached after the first call) and decode `count` tokens; its own tokens/s. */
async function peerDecode(url: string, prompt: readonly number[], count: number): Promise<number> {
  const response = await fetch(`${url}/completion`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt, n_predict: count, temperature: 0, top_k: 0, top_p: 1, min_p: 0, repeat_penalty: 1, cache_prompt: true, ignore_eos: true }),
  });
  if (!response.ok) throw new Error(`llama-server HTTP ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { timings?: { predicted_per_token_ms?: number } };
  const perToken = body.timings?.predicted_per_token_ms;
  if (!perToken) throw new Error("llama-server gave no timings.predicted_per_token_ms");
  return 1000 / perToken;
}
