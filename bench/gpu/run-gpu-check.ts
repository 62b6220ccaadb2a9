/**
 * @module bench/gpu/run-gpu-check
 * `npm run build && node dist/bench/gpu/run-gpu-check.js [--gpu cuda|vulkan] …` (see gpu-check-options):
 * the GPU check of issue 16. Starts the real `urial serve` as a child process
 * with every layer on the GPU and `--parallel 8`, then, in stages:
 * start-up (the engine's GPU warm-up included); cold TTFT (a set not seen
 * yet); priming (all sequences get one set at once: the pattern that
 * once crashed a software-Vulkan server); warm TTFT; decode; 1/2/4/8 streams
 * of the primed set (aggregate tokens/s). A stage where the server dies is
 * reported in the table and ends the check. Prints one table; exits 0 when
 * the check ran to its end (whether or not the target was met), 1 otherwise.
 * Target: 8 streams ≥ 4 × one stream's tokens/s.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTokenizer } from "../../src/engine/load-tokenizer.js";
import { timedChat, writeBenchSets, type BenchSets, type StreamTiming } from "../measure/bench-server.js";
import { runColdStreamsSection } from "../measure/cold-streams-section.js";
import { lastLines, startUrialServe, type UrialServeProcess } from "../measure/urial-serve-process.js";
import { llamaPresets } from "../synthetic-gguf/llama-shape.js";
import { writeSyntheticLlamaModel } from "../synthetic-gguf/synthetic-llama-model.js";
import { formatGpuTable, formatSamples, medianOf, type GpuCheckRow } from "./format-gpu-table.js";
import { gpuCheckUsage, parseGpuCheckOptions, type GpuCheckOptions } from "./gpu-check-options.js";

const parsed = parseGpuCheckOptions(process.argv.slice(2));
if (!parsed.ok) {
  console.error(`run-gpu-check: ${parsed.message}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(gpuCheckUsage);
  process.exit(0);
}
process.exit(await runGpuCheck(parsed.options));

async function runGpuCheck(options: GpuCheckOptions): Promise<number> {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const modelPath = options.model ? resolve(options.model) : await syntheticModel(options, repoRoot);
  const tokenizer = await loadTokenizer(modelPath);
  const contextSize = Math.min(options.contextSize, tokenizer.trainContextSize || options.contextSize);
  const sets = writeBenchSets((text) => tokenizer.tokenize(text), Math.min(options.prefixTokens, contextSize - options.decodeTokens - 64));
  const prefixTokens = sets.prefixes.map((prefix) => tokenizer.tokenize(prefix).length);
  await tokenizer.dispose();

  const rows: GpuCheckRow[] = [];
  const gpuArgs = options.gpu === false ? ["--gpu", "off"] : ["--gpu", options.gpu, "--gpu-layers", "max"];
  const started = performance.now();
  let server: UrialServeProcess | undefined;
  let url = "";
  let device = options.gpu === false ? "CPU (--gpu false)" : `--gpu ${options.gpu}`;
  let completed = false;

  /** Runs one stage; a failure (the server gone, an HTTP error) is a row, and ends the check. */
  const stage = async (name: string, work: () => Promise<GpuCheckRow[]>): Promise<boolean> => {
    try {
      rows.push(...(await work()));
      return true;
    } catch (error) {
      if (server) await Promise.race([server.exited, new Promise((wait) => setTimeout(wait, 500))]);
      const exit = server?.exit();
      const cause = exit ? `server died (${exit})` : `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
      rows.push({ measure: name, value: cause, note: server ? lastLines(server.log(), 3) : undefined });
      return false;
    }
  };
  const chat = (set: string, query: string, maxTokens: number): Promise<StreamTiming> => timedChat(url, `urial/${set}`, query, maxTokens);

  const status = await serverStages();
  if (status !== 0 || options.coldRounds === 0) return status;
  return await coldStreams(options, modelPath, sets, contextSize);

  /** The stages against the spawned `urial serve`; prints the table; 0 when every stage ran. */
  async function serverStages(): Promise<number> {
    try {
      const up = await stage("start-up", async () => {
        server = await startUrialServe({ modelPath, sets, contextSize, parallel: options.parallel, args: gpuArgs, timeoutMs: options.startTimeout * 1000 });
        url = server.url;
        const { health } = server;
        device = health.gpu === false ? "CPU (--gpu false)" : `${String(health.gpu)}, ${String(health.gpu_layers)} layers offloaded`;
        const log = server.log();
        const threadsLine = /threads: (prefill[^\n]*)/.exec(log)?.[1] ?? "";
        const warmUp = /GPU kernels warmed up in ([\d.]+ s)/.exec(log)?.[1];
        return [
          {
            measure: "start-up (spawn → /health ok)",
            value: `${((performance.now() - started) / 1000).toFixed(1)} s`,
            note: `${String(health.threads)} decode / ${String(health.batch_threads ?? health.threads)} prefill threads; ${threadsLine}${warmUp ? `; GPU warm-up ${warmUp}` : ""}`,
          },
        ];
      });
      if (!up) return finish();

      const query = (tag: string, index = 0) => `${tag}-${index}: please tell me a short story about a green frog.`;
      if (
        !(await stage("cold TTFT", async () => {
          const timing = await chat(sets.names[1]!, query("cold"), 1);
          return [{ measure: "cold TTFT (set not seen, first request)", value: `${timing.firstChunkMs.toFixed(0)} ms`, note: `${timing.promptTokens} prompt tokens` }];
        }))
      )
        return finish();

      if (
        !(await stage(`priming: ${options.parallel} sequences at once`, async () => {
          const begun = performance.now();
          const timings = await Promise.all(Array.from({ length: options.parallel }, (_, index) => chat(sets.names[0]!, query("prime", index), 1)));
          const wall = performance.now() - begun;
          const copied = timings.filter((timing) => timing.cachedTokens >= prefixTokens[0]! - 1).length;
          return [
            {
              measure: `priming: ${options.parallel} requests of one set at once`,
              value: `${(wall / 1000).toFixed(2)} s for all; TTFT ${formatSamples(
                timings.map((timing) => timing.firstChunkMs),
                "ms",
                0,
              )}`,
              note: `${copied} of ${options.parallel} got the ${prefixTokens[0]}-token prefix without evaluating it`,
            },
          ];
        }))
      )
        return finish();

      if (
        !(await stage("warm TTFT", async () => {
          const samples: number[] = [];
          for (let round = 0; round < options.rounds; round += 1) samples.push((await chat(sets.names[0]!, query("warm", round), 1)).firstChunkMs);
          return [{ measure: "warm TTFT (prefix cached, new query)", value: formatSamples(samples, "ms", 0) }];
        }))
      )
        return finish();

      if (
        !(await stage("decode", async () => {
          const samples: number[] = [];
          for (let round = 0; round < options.rounds; round += 1) {
            const timing = await chat(sets.names[0]!, query("decode", round), options.decodeTokens);
            samples.push((timing.completionTokens - 1) / (timing.streamMs / 1000));
          }
          return [{ measure: `decode, one stream (${options.decodeTokens} tokens)`, value: formatSamples(samples, "tok/s") }];
        }))
      )
        return finish();

      const timingBefore = await decodeTiming(url);
      const aggregate = new Map<number, number[]>(options.streams.map((count) => [count, []]));
      const ttfts = new Map<number, number[]>(options.streams.map((count) => [count, []]));
      if (
        !(await stage("streams", async () => {
          for (let round = 0; round < options.rounds; round += 1) {
            for (const count of options.streams) {
              const begun = performance.now();
              const timings = await Promise.all(Array.from({ length: count }, (_, index) => chat(sets.names[0]!, query(`s${count}r${round}`, index), options.decodeTokens)));
              aggregate.get(count)!.push(timings.reduce((sum, timing) => sum + timing.completionTokens, 0) / ((performance.now() - begun) / 1000));
              ttfts.get(count)!.push(...timings.map((timing) => timing.firstChunkMs));
            }
          }
          return options.streams.map((count) => ({
            measure: `${count} concurrent stream${count > 1 ? "s" : ""} (aggregate)`,
            value: formatSamples(aggregate.get(count)!, "tok/s"),
            note: `TTFT ${formatSamples(ttfts.get(count)!, "ms", 0)}`,
          }));
        }))
      )
        return finish();

      const timingAfter = await decodeTiming(url);
      if (timingBefore && timingAfter && timingAfter.tokens > timingBefore.tokens) {
        const tokens = timingAfter.tokens - timingBefore.tokens;
        rows.push({
          measure: "where a streamed token's time went (streams stage)",
          value: `${(((timingAfter.wait - timingBefore.wait) * 1000) / tokens).toFixed(2)} ms waiting for the engine, ${(((timingAfter.consumer - timingBefore.consumer) * 1000) / tokens).toFixed(2)} ms in the HTTP pipeline`,
          note: `per token over ${tokens} tokens (urial_decode_* in /metrics); decode rounds ${timingAfter.rounds - timingBefore.rounds}, ended at the hold limit ${timingAfter.expired - timingBefore.expired}`,
        });
      }
      const top = options.streams[options.streams.length - 1]!;
      const ratio = medianOf(aggregate.get(top)!) / medianOf(aggregate.get(1)!);
      rows.push({ measure: `target: ${top} streams ÷ 1 stream`, value: ratio.toFixed(2), note: `goal ≥ 4 on a GPU: ${ratio >= 4 ? "met" : "NOT met"}` });
      completed = true;
      return finish();
    } finally {
      await server?.close();
    }
  }

  function finish(): number {
    const settings = `--parallel ${options.parallel}, context ${contextSize} per sequence, prefix ${prefixTokens.join(" / ")} tokens, ${options.decodeTokens} tokens per answer, ${options.rounds} rounds`;
    console.log(formatGpuTable({ device, model: modelPath, settings }, rows));
    return completed ? 0 : 1;
  }
}

/**
 * The before/after of prefix sharing on this device: 1/2/4/… streams of one
 * set on a freshly loaded engine (in this process, same model, layers and
 * context as the server above), sharing off then on. Prints its own table.
 */
async function coldStreams(options: GpuCheckOptions, modelPath: string, sets: BenchSets, contextSize: number): Promise<number> {
  // The spawned server reads URIAL_BATCH_THREADS; the in-process engine gets the same setting.
  const batchThreads = process.env.URIAL_BATCH_THREADS ? Number(process.env.URIAL_BATCH_THREADS) : undefined;
  try {
    await runColdStreamsSection({
      sets,
      rounds: options.coldRounds,
      decodeTokens: options.decodeTokens,
      streamCounts: options.streams,
      engineOptions: { modelPath, threads: "auto", batchThreads, gpu: options.gpu, gpuLayers: options.gpu === false ? undefined : "max", contextSize, maxQueue: 256 },
      target: (name, measured, ratio, goal, met) => console.log(`${name}: ${measured} = ${ratio.toFixed(2)} (goal ${goal}: ${met ? "met" : "NOT met"})`),
    });
    return 0;
  } catch (error) {
    console.log(`cold streams: failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return 1;
  }
}

async function syntheticModel(options: GpuCheckOptions, repoRoot: string): Promise<string> {
  const preset = llamaPresets[options.preset];
  const vocabularySize = options.vocabSize ?? preset.modelledOn?.vocabularySize;
  const out = resolve(options.out ?? join(repoRoot, `bench/models/synthetic-${options.preset}-q8_0-seed1-v${vocabularySize ?? "source"}-ctx${options.contextSize}.gguf`));
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tokenizerFrom = process.env.URIAL_TEST_MODEL ?? resolve(repoRoot, "../shared/models/stories260K.gguf");
  console.error(`making ${out} (synthetic ${options.preset}, tokenizer from ${tokenizerFrom}) …`);
  await writeSyntheticLlamaModel({
    tokenizerFrom,
    shape: { embedding: preset.embedding, layers: preset.layers, heads: preset.heads, kvHeads: preset.kvHeads, feedForward: preset.feedForward, context: options.contextSize },
    weightType: "q8_0",
    seed: 1,
    out,
    vocabularySize,
  });
  return out;
}

/** The engine's decode timing counters from `/metrics` (undefined if absent). */
async function decodeTiming(url: string): Promise<{ tokens: number; wait: number; consumer: number; rounds: number; expired: number } | undefined> {
  const text = await fetch(`${url}/metrics`).then(
    (response) => (response.ok ? response.text() : ""),
    () => "",
  );
  const read = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const values = {
    tokens: read("urial_decode_tokens_total"),
    wait: read("urial_decode_token_wait_seconds_total"),
    consumer: read("urial_decode_consumer_seconds_total"),
    rounds: read("urial_decode_rounds_total"),
    expired: read("urial_decode_rounds_expired_total"),
  };
  return Object.values(values).every(Number.isFinite) ? values : undefined;
}
