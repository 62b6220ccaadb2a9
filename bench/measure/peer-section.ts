/**
 * @module bench/measure/peer-section
 * `npm run bench -- --only peer`: the proxy side by side with a real
 * llama-server on the same model and the same prompt text (the URIAL prompt
 * the proxy renders, sent to llama-server as a raw completion): cold TTFT (a
 * set neither server has seen), warm TTFT (prefix cached, new query), decode,
 * and 1/2/4 concurrent streams; urial at its defaults (`--threads auto
 * --batch-threads auto`), llama-server with the same thread counts, at its
 * own defaults, and with `-t 1`. Every server is its own process (urial is
 * the built `urial serve`), measured by the same client. All servers run
 * round by round, so machine drift hits each alike; ratios come from this
 * one run.
 */
import { openAnswerBlock, renderQueryBlock } from "../../src/prompt/render-urial-prompt.js";
import { timedChat, type BenchSets, type StreamTiming } from "./bench-server.js";
import { startUrialServe } from "./urial-serve-process.js";
import { peerExists, startPeerServer, timedPeerCompletion, type PeerServer } from "./llama-server-peer.js";
import { formatSummary, summarize, type Summary } from "./stats.js";

export interface PeerSectionOptions {
  peerPath: string;
  modelPath: string;
  contextSize: number;
  /** Sets `bench-a` (warm) and `cold-0…` (one per round). */
  sets: BenchSets;
  rounds: number;
  decodeTokens: number;
  /** Adds a row to the bench's target table. */
  target(name: string, measured: string, ratio: number, goal: string, met: boolean): void;
}

interface Side {
  name: string;
  warm: number[];
  cold: number[];
  decode: number[];
  streams: Map<number, number[]>;
  /** One streamed request: first token, stream, counts. */
  request(set: string, query: string, maxTokens: number): Promise<StreamTiming>;
  close(): Promise<void>;
}

const streamCounts = [1, 2, 4];
const parallel = 4;

export async function runPeerSection(options: PeerSectionOptions): Promise<Record<string, unknown> | undefined> {
  if (!peerExists(options.peerPath)) {
    console.log(`## Side by side with llama-server\n\nskipped: no llama-server at ${options.peerPath} (give --llama-server PATH or URIAL_LLAMA_SERVER; see ../shared/peers/README.md)\n`);
    return undefined;
  }
  const { sets, rounds } = options;
  const promptText = (set: string, query: string) => sets.prefixes[sets.names.indexOf(set)]! + renderQueryBlock(query) + openAnswerBlock();

  const urial = await startUrialServe({
    modelPath: options.modelPath,
    sets,
    contextSize: options.contextSize,
    parallel,
    args: ["--gpu", "off", "--threads", "auto", "--batch-threads", "auto"],
  });
  const decodeThreads = Number(urial.health.threads);
  const batchThreads = Number(urial.health.batch_threads ?? decodeThreads);
  const sides: Side[] = [
    {
      name: `urial defaults (auto → -t ${decodeThreads} -tb ${batchThreads})`,
      ...emptySamples(),
      request: (set, query, maxTokens) => timedChat(urial.url, `urial/${set}`, query, maxTokens),
      close: () => urial.close(),
    },
  ];
  // urial at llama-server's fastest decode setting here (flash attention off), same threads: the like-for-like row.
  const urialNoFa = await startUrialServe({
    modelPath: options.modelPath,
    sets,
    contextSize: options.contextSize,
    parallel,
    args: ["--gpu", "off", "--threads", String(decodeThreads), "--batch-threads", String(batchThreads), "--flash-attention", "off"],
  });
  sides.push({
    name: `urial same threads, flash attention off (-t ${decodeThreads} -tb ${batchThreads} --flash-attention off)`,
    ...emptySamples(),
    request: (set, query, maxTokens) => timedChat(urialNoFa.url, `urial/${set}`, query, maxTokens),
    close: () => urialNoFa.close(),
  });
  const peerArgs: [string, string[]][] = [
    [`llama-server same threads (-t ${decodeThreads} -tb ${batchThreads} -fa off)`, ["-t", String(decodeThreads), "-tb", String(batchThreads), "-fa", "off"]],
    ["llama-server defaults", []],
    ["llama-server -t 1", ["-t", "1"]],
  ];
  try {
    for (const [name, args] of peerArgs) {
      const peer: PeerServer = await startPeerServer(options.peerPath, options.modelPath, options.contextSize, parallel, args);
      sides.push({ name, ...emptySamples(), request: (set, query, maxTokens) => timedPeerCompletion(peer.url, promptText(set, query), maxTokens), close: () => peer.close() });
    }
    // Warm each server's bench-a prefix on every slot it will use.
    for (const side of sides)
      await Promise.all(streamCounts.slice(-1).flatMap((count) => Array.from({ length: count }, (_, index) => side.request("bench-a", `warmup ${index}: a green frog story`, 1))));

    const promptCounts = new Map<string, number[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const side of sides) {
        const cold = await side.request(`cold-${round}`, `cold-${round}: please tell me a short story about a green frog.`, 1);
        side.cold.push(cold.firstChunkMs);
        promptCounts.set(side.name, [...(promptCounts.get(side.name) ?? []), cold.promptTokens]);
        side.warm.push((await side.request("bench-a", `warm-${round}: please tell me a short story about a green frog.`, 1)).firstChunkMs);
        const decode = await side.request("bench-a", `decode-${round}: please tell me a short story about a green frog.`, options.decodeTokens);
        side.decode.push((decode.completionTokens - 1) / (decode.streamMs / 1000));
        for (const count of streamCounts) {
          const started = performance.now();
          const timings = await Promise.all(
            Array.from({ length: count }, (_, index) => side.request("bench-a", `s${count}-${round}-${index}: please tell me a short story about a green frog.`, options.decodeTokens)),
          );
          const seconds = (performance.now() - started) / 1000;
          side.streams.get(count)!.push(timings.reduce((sum, timing) => sum + timing.completionTokens, 0) / seconds);
        }
      }
    }

    const summaries = sides.map((side) => ({
      name: side.name,
      cold: summarize(side.cold),
      warm: summarize(side.warm),
      decode: summarize(side.decode),
      streams: Object.fromEntries(streamCounts.map((count) => [count, summarize(side.streams.get(count)!)])) as Record<number, Summary>,
      promptTokens: promptCounts.get(side.name) ?? [],
    }));
    console.log(`## Side by side with llama-server (${options.peerPath})\n`);
    console.log(`Same model, same prompt text, ${parallel} slots each, greedy; ${rounds} rounds, servers interleaved. TTFT in ms, decode and streams in tokens/s (aggregate), median (min–max).\n`);
    console.log(`| server | cold TTFT | warm TTFT | decode | ${streamCounts.map((count) => `${count} stream${count > 1 ? "s" : ""}`).join(" | ")} | prompt tokens (cold) |`);
    console.log(`|---|---|---|---|${streamCounts.map(() => "---").join("|")}|---|`);
    for (const row of summaries) {
      console.log(
        `| ${row.name} | ${formatSummary(row.cold, 0)} | ${formatSummary(row.warm, 0)} | ${formatSummary(row.decode)} | ${streamCounts.map((count) => formatSummary(row.streams[count]!)).join(" | ")} | ${[...new Set(row.promptTokens)].join(", ")} |`,
      );
    }
    const [ours, oursNoFa, ...peers] = summaries;
    const bestWarm = peers.reduce((best, row) => (row.warm.median < best.warm.median ? row : best));
    const bestDecode = peers.reduce((best, row) => (row.decode.median > best.decode.median ? row : best));
    const defaults = peers.find((row) => row.name === "llama-server defaults")!;
    const sameSettings = peers[0]!;
    console.log(
      `\nlike for like (urial and llama-server both at -t ${decodeThreads} -tb ${batchThreads}, flash attention off): warm TTFT ${(oursNoFa!.warm.median / sameSettings.warm.median).toFixed(3)}, decode ${(oursNoFa!.decode.median / sameSettings.decode.median).toFixed(3)}, cold TTFT ${(oursNoFa!.cold.median / sameSettings.cold.median).toFixed(3)}`,
    );
    console.log(
      `\nratios (urial ÷ llama-server): warm TTFT ${(ours!.warm.median / bestWarm.warm.median).toFixed(3)} vs its best (${bestWarm.name}); decode ${(ours!.decode.median / bestDecode.decode.median).toFixed(3)} vs its best (${bestDecode.name}); cold TTFT ${(ours!.cold.median / defaults.cold.median).toFixed(3)} vs its defaults; 4 streams ${(ours!.streams[4]!.median / peers[0]!.streams[4]!.median).toFixed(3)} vs same threads\n`,
    );
    const warmRatio = ours!.warm.median / bestWarm.warm.median;
    options.target("P1. warm TTFT ÷ llama-server at its best", `${ours!.warm.median.toFixed(0)} / ${bestWarm.warm.median.toFixed(0)} ms (${bestWarm.name})`, warmRatio, "≤ 1.0", warmRatio <= 1);
    const decodeRatio = ours!.decode.median / bestDecode.decode.median;
    options.target(
      "P2. decode ÷ llama-server at its best",
      `${ours!.decode.median.toFixed(1)} / ${bestDecode.decode.median.toFixed(1)} tok/s (${bestDecode.name})`,
      decodeRatio,
      "≥ 1.0",
      decodeRatio >= 1,
    );
    const coldRatio = ours!.cold.median / defaults.cold.median;
    options.target("P3. cold TTFT ÷ llama-server defaults", `${ours!.cold.median.toFixed(0)} / ${defaults.cold.median.toFixed(0)} ms`, coldRatio, "≤ 1.0", coldRatio <= 1);
    return { parallel, sides: summaries };
  } finally {
    for (const side of sides) await side.close();
  }
}

function emptySamples() {
  return { warm: [] as number[], cold: [] as number[], decode: [] as number[], streams: new Map<number, number[]>(streamCounts.map((count) => [count, []])) };
}
