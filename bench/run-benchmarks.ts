/**
 * @module bench/run-benchmarks
 * `npm run bench -- --model PATH [--rounds 5] [--prefix-tokens 1500] [--decode-tokens 48] [--context-size N] [--threads N]
 *   [--only ttft,decode,…,cold-streams,peer,engine-threads] [--llama-server PATH] [--cold-rounds 1]`
 *
 * Measures issue 8's targets on the real engine and the real proxy (HTTP +
 * SSE on loopback) against raw node-llama-cpp in the same process, with the
 * same model, threads and greedy sampling. Compared variants run round by
 * round; medians with (min–max) are printed as markdown and written to
 * bench/results/<time>.json. Nothing here asserts: these are measurements.
 *
 * For realistic compute shapes use a synthetic model (its text is noise):
 *   npm run bench:make-model -- --preset 135m --type q8_0 --out /tmp/synthetic-135m.gguf
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { physicalCoreCount } from "../src/platform/physical-core-count.js";
import { startLlamaEngine } from "../src/engine/llama-engine.js";
import { openAnswerBlock, renderQueryBlock, renderUrialPrompt } from "../src/prompt/render-urial-prompt.js";
import { startBenchServer, timedChat, writeBenchSets, type BenchServer } from "./measure/bench-server.js";
import type { LlamaContextSequence } from "node-llama-cpp";
import { openRawLlama, sharedPrefix, timeDecode, timeFirstToken, type RawLlama } from "./measure/raw-llama.js";
import { formatSummary, summarize, type Summary } from "./measure/stats.js";
import { runColdStreamsSection } from "./measure/cold-streams-section.js";
import { runPeerSection } from "./measure/peer-section.js";
import { runEngineThreadsSection } from "./measure/engine-threads-section.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: process.env.URIAL_BENCH_MODEL ?? resolve("../shared/models/stories260K.gguf") },
    rounds: { type: "string", default: "5" },
    "prefix-tokens": { type: "string", default: "1500" },
    "decode-tokens": { type: "string", default: "48" },
    "context-size": { type: "string" },
    threads: { type: "string" },
    only: { type: "string" },
    "llama-server": { type: "string", default: process.env.URIAL_LLAMA_SERVER ?? resolve("../shared/peers/llama-server/llama-server.sh") },
    "cold-rounds": { type: "string", default: "1" },
  },
});
/** `--only ttft,decode,streams,threads,interleaved,restart,memory,cold-streams,peer,engine-threads` runs just those sections. */
const sections = values.only?.split(",").map((section) => section.trim());
const wanted = (section: string) => sections === undefined || sections.includes(section);
const modelPath = resolve(values.model!);
const rounds = Number(values.rounds);
const decodeTokens = Number(values["decode-tokens"]);
const cores = physicalCoreCount();
// The server's default is `--threads auto`: find what it picks on this machine, then use that count everywhere.
const autoProbe = values.threads ? undefined : await startLlamaEngine({ modelPath, threads: "auto", maxThreads: cores, gpu: false, contextSize: 256, parallel: 1, maxQueue: 0 });
const defaultThreads = values.threads ? Number(values.threads) : autoProbe!.info.threads;
const autoSweep = autoProbe?.info.threadSweep ?? [];
await autoProbe?.dispose();

const probe = await openRawLlama(modelPath, Math.max(cores, 4), 64);
const trainContext = probe.model.trainContextSize;
await probe.dispose();
const contextSize = values["context-size"] ? Number(values["context-size"]) : Math.min(trainContext, 4096);
const prefixTarget = Math.min(Number(values["prefix-tokens"]), contextSize - decodeTokens - 128);
// The baseline gets exactly the proxy's thread cap (a higher cap slows llama.cpp down on small machines).
const rawLlama = await openRawLlama(modelPath, defaultThreads, contextSize);
const sets = writeBenchSets((text) => rawLlama.tokenize(text), prefixTarget, wanted("peer") ? rounds : 0);
const prefixTokens = sets.prefixes.slice(0, 2).map((prefix) => rawLlama.tokenize(prefix).length);

console.log(`# urial-proxy benchmarks\n`);
console.log(`model ${modelPath} · context ${contextSize} · prefix ${prefixTokens.join(" / ")} tokens · ${rounds} rounds · ${defaultThreads} threads`);
console.log(
  `threads: ${values.threads ? "given" : `auto picked ${defaultThreads} (start-up sweep: ${autoSweep.map((trial) => `${trial.threads} → ${trial.tokensPerSecond.toFixed(0)} tok/s`).join(", ")})`}`,
);
console.log(
  `machine: ${cores} physical cores (${availableParallelism()} logical, ${cpus()[0]?.model ?? "?"}), load ${loadavg()
    .map((value) => value.toFixed(2))
    .join(" ")}\n`,
);

// The varying part comes first, so consecutive queries share no tokens and
// every warm request evaluates its whole query (on the proxy and the raw side alike).
const queryFor = (round: number, tag: string) => `${tag}-${round}: please tell me a short story about a green frog.`;
/** The tokens the proxy evaluates for set `index` and a query, and how many of them are the set's prefix. */
function promptTokens(index: number, query: string): { tokens: number[]; reusable: number } {
  const tokens = rawLlama.tokenize(sets.prefixes[index]! + renderQueryBlock(query) + openAnswerBlock());
  const prefix = rawLlama.tokenize(sets.prefixes[index]!);
  let reusable = 0;
  while (reusable < prefix.length && prefix[reusable] === tokens[reusable]) reusable += 1;
  return { tokens, reusable };
}
const engineOptions = (parallel: number, prefixDir?: string) => ({
  modelPath,
  threads: defaultThreads,
  gpu: false as const,
  contextSize,
  parallel,
  maxQueue: 16,
  prefixStates: prefixDir ? { dir: prefixDir, maxBytes: 8 * 1024 ** 3 } : undefined,
});
const results: Record<string, unknown> = {};
const table: string[] = [];
function target(name: string, measured: string, ratio: number, goal: string, met: boolean) {
  table.push(`| ${name} | ${measured} | ${ratio.toFixed(3)} | ${goal} | ${met ? "yes" : "**no**"} |`);
}

// 1. TTFT: warm proxy vs the physical limit (raw, prefix held, evaluate the query, sample one), zero-shot and cold.
if (wanted("ttft")) {
  const server = await startBenchServer(sets, engineOptions(2));
  const cold = await startBenchServer(sets, engineOptions(1));
  const rawContext = await rawLlama.context(defaultThreads, 2);
  const rawWarm = rawContext.getSequence();
  const rawZero = rawContext.getSequence();
  await timedChat(server.url, "urial/bench-a", queryFor(-1, "warmup"), 1);
  const warm: number[] = [];
  const limit: number[] = [];
  const zeroProxy: number[] = [];
  const zeroRaw: number[] = [];
  const coldProxy: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const query = queryFor(round, "ttft");
    warm.push((await timedChat(server.url, "urial/bench-a", query, 1)).firstChunkMs);
    const { tokens } = promptTokens(0, query);
    // Keep what the sequence shares with the prompt (the prefix), as the engine does; evaluate the rest.
    const shared = sharedPrefix(rawWarm, tokens);
    limit.push(await timeFirstToken(rawWarm, tokens.slice(0, shared), tokens.slice(shared)));
    const zeroShot = renderUrialPrompt({ system: "", exemplars: [], history: [], query }).text;
    zeroProxy.push(await timedCompletion(server, zeroShot));
    const zeroTokens = rawLlama.tokenize(zeroShot);
    zeroRaw.push(await timeFirstToken(rawZero, zeroTokens.slice(0, 1), zeroTokens.slice(1)));
    // The cold server has one sequence: alternating sets evicts the other set's prefix every time.
    coldProxy.push((await timedChat(cold.url, round % 2 === 0 ? "urial/bench-b" : "urial/bench-a", query, 1)).firstChunkMs);
  }
  await server.close();
  await cold.close();
  const s = { warm: summarize(warm), limit: summarize(limit), zeroShotProxy: summarize(zeroProxy), zeroShotRaw: summarize(zeroRaw), cold: summarize(coldProxy) };
  results.ttft = s;
  console.log(`## Time to first token (ms, median (min–max))\n\n| request | proxy | raw node-llama-cpp |\n|---|---|---|`);
  console.log(`| warm URIAL (prefix cached) | ${formatSummary(s.warm)} | ${formatSummary(s.limit)} (the physical limit) |`);
  console.log(`| zero-shot (same query, no prefix) | ${formatSummary(s.zeroShotProxy)} | ${formatSummary(s.zeroShotRaw)} |`);
  console.log(`| cold URIAL (prefix not cached) | ${formatSummary(s.cold)} | |\n`);
  const ratio = s.warm.median / s.limit.median;
  target("1. warm TTFT ÷ physical limit", `${s.warm.median.toFixed(1)} / ${s.limit.median.toFixed(1)} ms`, ratio, "≤ 1.1", ratio <= 1.1);
  const zeroRatio = s.warm.median / s.zeroShotProxy.median;
  target("1b. warm TTFT ÷ zero-shot TTFT (proxy)", `${s.warm.median.toFixed(1)} / ${s.zeroShotProxy.median.toFixed(1)} ms`, zeroRatio, "≤ 1.2 on the tiny model", zeroRatio <= 1.2);
}

// 2. Streaming decode speed through the proxy vs raw generation of the same tokens.
if (wanted("decode")) {
  const server = await startBenchServer(sets, engineOptions(1));
  const rawSequence = (await rawLlama.context(defaultThreads, 1)).getSequence();
  await timedChat(server.url, "urial/bench-a", queryFor(-1, "warmup"), 1);
  const proxy: number[] = [];
  const rawSpeed: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const query = queryFor(round, "decode");
    const timing = await timedChat(server.url, "urial/bench-a", query, decodeTokens);
    proxy.push((timing.completionTokens - 1) / (timing.streamMs / 1000));
    const { tokens } = promptTokens(0, query);
    rawSpeed.push((await timeDecode(rawSequence, tokens, timing.completionTokens)).tokensPerSecond);
  }
  await server.close();
  const s = { proxy: summarize(proxy), raw: summarize(rawSpeed) };
  results.decode = s;
  console.log(`## Streaming decode (tokens/s)\n\n| path | tokens/s |\n|---|---|\n| proxy (HTTP + SSE + URIAL) | ${formatSummary(s.proxy)} |\n| raw node-llama-cpp | ${formatSummary(s.raw)} |\n`);
  const ratio = s.proxy.median / s.raw.median;
  target("2. proxy decode ÷ raw decode", `${s.proxy.median.toFixed(1)} / ${s.raw.median.toFixed(1)} tok/s`, ratio, "≥ 0.97", ratio >= 0.97);
}

// 3. Aggregate decode with 1, 2 and 4 concurrent streams.
if (wanted("streams")) {
  const server = await startBenchServer(sets, engineOptions(4));
  const aggregate = new Map<number, number[]>([
    [1, []],
    [2, []],
    [4, []],
  ]);
  await Promise.all([0, 1, 2, 3].map((index) => timedChat(server.url, "urial/bench-a", queryFor(index, "warm4"), 1)));
  for (let round = 0; round < rounds; round += 1) {
    for (const streams of [1, 2, 4]) {
      const started = performance.now();
      const timings = await Promise.all(Array.from({ length: streams }, (_, index) => timedChat(server.url, "urial/bench-a", queryFor(round * 10 + index, `c${streams}`), decodeTokens)));
      const seconds = (performance.now() - started) / 1000;
      aggregate.get(streams)!.push(timings.reduce((sum, timing) => sum + timing.completionTokens, 0) / seconds);
    }
  }
  await server.close();
  const s = Object.fromEntries([...aggregate].map(([streams, samples]) => [streams, summarize(samples)])) as Record<number, Summary>;
  results.concurrency = s;
  console.log(`## Concurrent streams (aggregate tokens/s over the whole requests)\n\n| streams | tokens/s |\n|---|---|`);
  for (const streams of [1, 2, 4]) console.log(`| ${streams} | ${formatSummary(s[streams]!)} |`);
  console.log("");
  const ratio = s[4]!.median / s[1]!.median;
  target("3. 4 streams ÷ 1 stream (aggregate)", `${s[4]!.median.toFixed(1)} / ${s[1]!.median.toFixed(1)} tok/s`, ratio, "≥ 1.6 (realistic model)", ratio >= 1.6);
}

// 4. Thread sweep: raw decode speed per thread count; the server's default against the best.
if (wanted("threads")) {
  const counts = [...new Set([...Array.from({ length: cores }, (_, index) => index + 1), defaultThreads, Math.max(cores, 4)])].sort((a, b) => a - b);
  const speeds = new Map<number, number[]>(counts.map((count) => [count, []]));
  const { tokens } = promptTokens(0, queryFor(0, "threads"));
  const short = tokens.slice(-64);
  // Each count runs as the server would: its own llama.cpp instance capped at that many threads.
  const runtimes = new Map<number, RawLlama>();
  const sequences = new Map<number, LlamaContextSequence>();
  for (const count of counts) {
    const runtime = await openRawLlama(modelPath, count, 256);
    runtimes.set(count, runtime);
    sequences.set(count, (await runtime.context(count, 1)).getSequence());
  }
  for (let round = 0; round < rounds; round += 1) {
    for (const count of counts) {
      speeds.get(count)!.push((await timeDecode(sequences.get(count)!, short, Math.min(decodeTokens, 24))).tokensPerSecond);
    }
  }
  for (const runtime of runtimes.values()) await runtime.dispose();
  const s = Object.fromEntries([...speeds].map(([count, samples]) => [count, summarize(samples)])) as Record<number, Summary>;
  results.threads = s;
  const best = Math.max(...counts.map((count) => s[count]!.median));
  console.log(`## Thread sweep (raw decode tokens/s)\n\n| threads | tokens/s | ÷ best | note |\n|---|---|---|---|`);
  for (const count of counts) {
    const note = [count === defaultThreads ? "urial default (auto)" : "", count === Math.max(cores, 4) ? "node-llama-cpp CPU default" : ""].filter(Boolean).join(", ");
    console.log(`| ${count} | ${formatSummary(s[count]!)} | ${(s[count]!.median / best).toFixed(2)} | ${note} |`);
  }
  console.log("");
  const ratio = s[defaultThreads]!.median / best;
  target("4. default threads ÷ best threads", `${s[defaultThreads]!.median.toFixed(1)} / ${best.toFixed(1)} tok/s`, ratio, "≥ 0.97 (never slower)", ratio >= 0.97);
}

// 5. Interleaved traffic over two sets on two sequences: cached tokens per request.
if (wanted("interleaved")) {
  const server = await startBenchServer(sets, engineOptions(2));
  const shares: number[] = [];
  for (let round = 0; round < rounds + 1; round += 1) {
    for (const index of [0, 1]) {
      const timing = await timedChat(server.url, `urial/${sets.names[index]}`, queryFor(round, `mix${index}`), 4);
      if (round > 0) shares.push(timing.cachedTokens / prefixTokens[index]!);
    }
  }
  await server.close();
  const s = summarize(shares);
  results.interleaved = s;
  const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
  console.log(`## Interleaved sets (cached_tokens ÷ prefix tokens, after each set's first request)\n\nmean ${mean.toFixed(3)}, median (min–max) ${formatSummary(s, 3)}\n`);
  target("5. interleaved sets: mean cached ÷ prefix", `${(mean * 100).toFixed(1)} %`, mean, "≥ 0.9", mean >= 0.9);
}

// 6. Restart warm-up: the first request after a restart, with a saved prefix state and without.
if (wanted("restart")) {
  const restored: number[] = [];
  const coldStart: number[] = [];
  for (let round = 0; round < Math.min(rounds, 3); round += 1) {
    const dir = mkdtempSync(join(tmpdir(), "urial-bench-states-"));
    const first = await startBenchServer(sets, engineOptions(1, dir));
    await timedChat(first.url, "urial/bench-a", queryFor(round, "save"), 1);
    await first.close();
    const again = await startBenchServer(sets, engineOptions(1, dir));
    restored.push((await timedChat(again.url, "urial/bench-a", queryFor(round, "restart"), 1)).firstChunkMs);
    await again.close();
    const none = await startBenchServer(sets, engineOptions(1));
    coldStart.push((await timedChat(none.url, "urial/bench-a", queryFor(round, "restart"), 1)).firstChunkMs);
    await none.close();
  }
  const s = { restored: summarize(restored), cold: summarize(coldStart) };
  results.restart = s;
  console.log(
    `## First request after a restart (TTFT ms)\n\n| | ms |\n|---|---|\n| with a saved prefix state | ${formatSummary(s.restored)} |\n| without (prefix evaluated) | ${formatSummary(s.cold)} |\n`,
  );
  target(
    "6. restart: saved-state TTFT ÷ cold TTFT",
    `${s.restored.median.toFixed(1)} / ${s.cold.median.toFixed(1)} ms`,
    s.restored.median / s.cold.median,
    "< 1 (report)",
    s.restored.median < s.cold.median,
  );
}

// 7. Resident memory per configuration, each in its own process.
if (wanted("memory")) {
  const memoryProbe = fileURLToPath(new URL("./measure/memory-probe.js", import.meta.url));
  const rows: { parallel: number; rssMiB: number }[] = [];
  for (const parallel of [1, 2, 4]) {
    const { stdout } = await promisify(execFile)(process.execPath, [memoryProbe, modelPath, String(contextSize), String(parallel), String(defaultThreads)], { maxBuffer: 1 << 20 });
    const line = stdout.trim().split("\n").pop()!;
    rows.push({ parallel, rssMiB: (JSON.parse(line) as { rssBytes: number }).rssBytes / 1024 / 1024 });
  }
  results.memory = rows;
  console.log(`## Resident memory (context ${contextSize} per sequence)\n\n| parallel | RSS MiB |\n|---|---|`);
  for (const row of rows) console.log(`| ${row.parallel} | ${row.rssMiB.toFixed(0)} |`);
  console.log("");
}

// 8. Cold start with 1/2/4/8 streams of one set, before and after prefix sharing (issue 16).
if (wanted("cold-streams")) {
  results.coldStreams = await runColdStreamsSection({ sets, rounds: Number(values["cold-rounds"]), decodeTokens, engineOptions: { ...engineOptions(1), maxQueue: 16 }, target });
}

// 9. Side by side with a real llama-server (issue 16).
if (wanted("peer")) {
  results.peer = await runPeerSection({ peerPath: resolve(values["llama-server"]!), modelPath, contextSize, sets, rounds, decodeTokens, target });
}

// 10. Decode by thread count, raw node-llama-cpp against llama-server (where the decode gap comes from).
if (wanted("engine-threads")) {
  const { tokens } = promptTokens(0, queryFor(0, "threads"));
  results.engineThreads = await runEngineThreadsSection({ peerPath: resolve(values["llama-server"]!), modelPath, contextSize, prompt: tokens, decodeTokens, rounds, cores });
}

await rawLlama.dispose();
console.log(`## Targets\n\n| target | measured | ratio | goal | met |\n|---|---|---|---|---|\n${table.join("\n")}\n`);
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify({ modelPath, contextSize, prefixTokens, rounds, decodeTokens, cores, defaultThreads, loadavg: loadavg(), results, targets: table }, null, 2));
console.log(`wrote ${file}`);

/** A streamed raw completion on the `base` model; ms to its first chunk. */
async function timedCompletion(server: BenchServer, prompt: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "base", prompt, max_tokens: 1, temperature: 0, repetition_penalty: 1, stream: true }),
  });
  if (!response.body) throw new Error(`HTTP ${response.status}`);
  const reader = response.body.getReader();
  await reader.read();
  const elapsed = performance.now() - started;
  await reader.cancel();
  return elapsed;
}
