/**
 * The engine-threads bench section (raw node-llama-cpp against llama-server,
 * decode by thread count): its log parser, its thread counts, and one end-to-end
 * run on the tiny model against the real peer build.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEvalTiming } from "../../bench/measure/parse-eval-timing.js";
import { threadCounts } from "../../bench/measure/engine-threads-section.js";
import { physicalCoreCount } from "../../src/platform/physical-core-count.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { peerDir, peerExists } from "../support/llama-server-peer.js";
import { cleanEnv, repositoryRoot, spawnCollect } from "../support/run-cli.js";

describe("parseEvalTiming", () => {
  it("reads the eval line of llama.cpp's context timings, not the prompt eval line", () => {
    const printed = [
      "llama_perf_context_print:        load time =    1449.93 ms",
      "llama_perf_context_print: prompt eval time =    9740.93 ms /  2999 tokens (    3.25 ms per token,   307.88 tokens per second)",
      "llama_perf_context_print:        eval time =    2633.22 ms /    96 runs   (   27.43 ms per token,    36.46 tokens per second)",
      "llama_perf_context_print:       total time =   12000.00 ms /  3095 tokens",
    ].join("\n");
    expect(parseEvalTiming(printed)).toEqual({ ms: 2633.22, runs: 96 });
  });

  it("gives undefined when no eval line was printed", () => {
    expect(parseEvalTiming("llama_perf_context_print: prompt eval time = 1.00 ms / 2 tokens")).toBeUndefined();
    expect(parseEvalTiming("")).toBeUndefined();
  });
});

describe("threadCounts", () => {
  it("measures one thread, half the cores and all of them, without repeats", () => {
    expect(threadCounts(1)).toEqual([1]);
    expect(threadCounts(2)).toEqual([1, 2]);
    expect(threadCounts(3)).toEqual([1, 3]);
    expect(threadCounts(16)).toEqual([1, 8, 16]);
  });
});

const canRun = testModelExists && peerExists;
const title = peerExists ? modelSuiteTitle("engine-threads section end to end") : `engine-threads section end to end — SKIPPED: no llama-server at ${peerDir}`;
if (!peerExists) console.warn(`[skipped] engine-threads section end to end: no llama-server at ${peerDir}`);

describe.skipIf(!canRun)(title, () => {
  it("decodes on both engines at each thread count and prints the table", async () => {
    const script = join(repositoryRoot, "dist/bench/run-benchmarks.js");
    const args = [script, "--model", testModelPath, "--only", "engine-threads", "--threads", "1", "--rounds", "1", "--prefix-tokens", "120", "--decode-tokens", "8", "--context-size", "512"];
    args.push("--llama-server", join(peerDir, "llama-server.sh"));
    const { code, stdout, stderr } = await spawnCollect(process.execPath, args, { env: cleanEnv({}), limitMs: 120_000 });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("## Decode by thread count: node-llama-cpp and llama-server, no proxy");
    const rows = stdout.split("\n").filter((line) => /^\| \d+ \|/.test(line));
    expect(rows.map((row) => Number(row.split("|")[1]))).toEqual(threadCounts(physicalCoreCount()));
    for (const row of rows) {
      const cells = row
        .split("|")
        .slice(2, 6)
        .map((cell) => Number.parseFloat(cell));
      // llama-server, node-llama-cpp at the generator, inside llama_decode, and the ratio: all measured.
      for (const value of cells) expect(value).toBeGreaterThan(0);
    }
  }, 150_000);
});
