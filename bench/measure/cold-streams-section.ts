/**
 * @module bench/measure/cold-streams-section
 * `npm run bench -- --only cold-streams`: 1/2/4/8 concurrent requests of one
 * set on a freshly started server (no sequence holds the prefix), with prefix
 * sharing off ("before": every sequence evaluates the prefix itself) and on
 * ("after": one evaluates it, the others copy it). Reports aggregate tokens/s
 * over the whole requests, median TTFT and how many prompt tokens were not
 * evaluated. Before/after alternate per stream count.
 */
import type { LlamaEngineOptions } from "../../src/engine/llama-engine.js";
import { startBenchServer, timedChat, type BenchSets } from "./bench-server.js";
import { formatSummary, summarize, type Summary } from "./stats.js";

export interface ColdStreamsOptions {
  sets: BenchSets;
  rounds: number;
  decodeTokens: number;
  engineOptions: Omit<LlamaEngineOptions, "parallel" | "sharePrefixes">;
  streamCounts?: number[];
  target(name: string, measured: string, ratio: number, goal: string, met: boolean): void;
}

interface Cell {
  aggregate: number[];
  ttft: number[];
  cachedShare: number[];
}

export async function runColdStreamsSection(options: ColdStreamsOptions): Promise<Record<string, unknown>> {
  const counts = options.streamCounts ?? [1, 2, 4, 8];
  const parallel = Math.max(...counts);
  const cells = new Map<string, Cell>();
  const cell = (variant: string, count: number) => {
    const key = `${variant}:${count}`;
    if (!cells.has(key)) cells.set(key, { aggregate: [], ttft: [], cachedShare: [] });
    return cells.get(key)!;
  };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const count of counts) {
      for (const [variant, sharePrefixes] of [
        ["before", false],
        ["after", true],
      ] as const) {
        const server = await startBenchServer(options.sets, { ...options.engineOptions, parallel, sharePrefixes });
        try {
          const started = performance.now();
          const timings = await Promise.all(
            Array.from({ length: count }, (_, index) =>
              timedChat(server.url, "urial/bench-a", `cold${count}-${round}-${index}: please tell me a short story about a green frog.`, options.decodeTokens),
            ),
          );
          const seconds = (performance.now() - started) / 1000;
          const target = cell(variant, count);
          target.aggregate.push(timings.reduce((sum, timing) => sum + timing.completionTokens, 0) / seconds);
          target.ttft.push(...timings.map((timing) => timing.firstChunkMs));
          target.cachedShare.push(timings.reduce((sum, timing) => sum + timing.cachedTokens, 0) / timings.reduce((sum, timing) => sum + timing.promptTokens, 0));
        } finally {
          await server.close();
        }
      }
    }
  }
  const summary: Record<string, { aggregate: Summary; ttft: Summary; cachedShare: Summary }> = {};
  console.log(`## Cold start, N concurrent streams of one set (parallel ${parallel}, ${options.decodeTokens} tokens each)\n`);
  console.log("| streams | aggregate tok/s before | after | TTFT ms before (median of all requests) | after | prompt tokens not evaluated before | after |\n|---|---|---|---|---|---|---|");
  for (const count of counts) {
    const before = cell("before", count);
    const after = cell("after", count);
    summary[`before:${count}`] = { aggregate: summarize(before.aggregate), ttft: summarize(before.ttft), cachedShare: summarize(before.cachedShare) };
    summary[`after:${count}`] = { aggregate: summarize(after.aggregate), ttft: summarize(after.ttft), cachedShare: summarize(after.cachedShare) };
    const b = summary[`before:${count}`]!;
    const a = summary[`after:${count}`]!;
    console.log(
      `| ${count} | ${formatSummary(b.aggregate)} | ${formatSummary(a.aggregate)} | ${formatSummary(b.ttft, 0)} | ${formatSummary(a.ttft, 0)} | ${(b.cachedShare.median * 100).toFixed(0)} % | ${(a.cachedShare.median * 100).toFixed(0)} % |`,
    );
  }
  console.log("");
  const top = counts[counts.length - 1]!;
  const gain = summary[`after:${top}`]!.aggregate.median / summary[`before:${top}`]!.aggregate.median;
  options.target(
    `S1. cold ${top} streams: aggregate after ÷ before sharing`,
    `${summary[`after:${top}`]!.aggregate.median.toFixed(1)} / ${summary[`before:${top}`]!.aggregate.median.toFixed(1)} tok/s`,
    gain,
    "> 1 (report)",
    gain > 1,
  );
  return summary;
}
