/**
 * The GPU check script (bench/gpu) without a GPU: its command line, its
 * table, and one end-to-end run on the CPU (`--gpu false`) with the tiny
 * model, which starts the real server, runs every stage (priming included)
 * and prints the table.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatGpuTable, formatSamples, medianOf } from "../../bench/gpu/format-gpu-table.js";
import { parseGpuCheckOptions, streamCounts } from "../../bench/gpu/gpu-check-options.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { cleanEnv, repositoryRoot, spawnCollect } from "../support/run-cli.js";

describe("parseGpuCheckOptions", () => {
  it("defaults to CUDA, a synthetic 1B model, 8 sequences and 1/2/4/8 streams", () => {
    const parsed = parseGpuCheckOptions([]);
    expect(parsed).toMatchObject({
      ok: true,
      help: false,
      options: { gpu: "cuda", model: undefined, preset: "1b", parallel: 8, streams: [1, 2, 4, 8], prefixTokens: 3000, contextSize: 4096, rounds: 3, coldRounds: 1 },
    });
  });

  it("takes vulkan, auto, and false/off for a CPU run", () => {
    for (const [text, gpu] of [
      ["vulkan", "vulkan"],
      ["auto", "auto"],
      ["false", false],
      ["off", false],
    ] as const) {
      expect(parseGpuCheckOptions(["--gpu", text])).toMatchObject({ ok: true, options: { gpu } });
    }
  });

  it("names the flag and the rule for bad values, and rejects unknown flags", () => {
    expect(parseGpuCheckOptions(["--gpu", "metal"])).toEqual({ ok: false, message: "--gpu must be cuda, vulkan, auto or false, got 'metal'" });
    expect(parseGpuCheckOptions(["--cold-rounds", "-1"])).toMatchObject({ ok: false });
    expect(parseGpuCheckOptions(["--cold-rounds", "0"])).toMatchObject({ ok: true, options: { coldRounds: 0 } });
    expect(parseGpuCheckOptions(["--parallel", "0"])).toEqual({ ok: false, message: "--parallel must be a whole number from 1 to 256, got '0'" });
    expect(parseGpuCheckOptions(["--preset", "7b"])).toMatchObject({ ok: false, message: expect.stringContaining("--preset must be one of tiny, 135m, 360m, 1b") });
    expect(parseGpuCheckOptions(["--prefix-tokens", "4000"])).toEqual({ ok: false, message: "--prefix-tokens (4000) + --decode-tokens (64) + 64 for the query must fit --context-size (4096)" });
    expect(parseGpuCheckOptions(["--bogus"])).toMatchObject({ ok: false, message: expect.stringContaining("Unknown option '--bogus'") });
    expect(parseGpuCheckOptions(["--help"])).toEqual({ ok: true, help: true });
  });

  it("measures powers of two up to the sequence count", () => {
    expect(streamCounts(1)).toEqual([1]);
    expect(streamCounts(6)).toEqual([1, 2, 4, 6]);
    expect(streamCounts(16)).toEqual([1, 2, 4, 8, 16]);
  });
});

describe("formatGpuTable", () => {
  it("prints one markdown table with the device, model and settings, escaping cells", () => {
    const text = formatGpuTable({ device: "cuda, 17 layers offloaded", model: "/m.gguf", settings: "--parallel 8" }, [
      { measure: "warm TTFT", value: formatSamples([30, 26, 28], "ms", 0) },
      { measure: "priming", value: "server died (signal SIGSEGV)", note: "a | b\nc" },
    ]);
    expect(text).toBe(
      [
        "## GPU check — cuda, 17 layers offloaded",
        "",
        "model: /m.gguf",
        "settings: --parallel 8",
        "",
        "| measure | value | note |",
        "|---|---|---|",
        "| warm TTFT | 28 (26–30) ms |  |",
        "| priming | server died (signal SIGSEGV) | a \\| b c |",
      ].join("\n"),
    );
    expect(formatSamples([], "ms")).toBe("not measured");
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("run-gpu-check end to end on the CPU (--gpu false)"), () => {
  it("starts the server, runs every stage and prints the table", async () => {
    const script = join(repositoryRoot, "dist/bench/gpu/run-gpu-check.js");
    const args = [script, "--gpu", "false", "--model", testModelPath, "--parallel", "2", "--rounds", "1", "--prefix-tokens", "120", "--decode-tokens", "4", "--context-size", "512"];
    const { code, stdout, stderr } = await spawnCollect(process.execPath, args, { env: cleanEnv({ URIAL_THREADS: "1", URIAL_BATCH_THREADS: "1" }), limitMs: 120_000 });
    expect(code, stderr + stdout).toBe(0);
    expect(stdout).toContain("## GPU check — CPU (--gpu false)");
    for (const measure of [
      "start-up (spawn → /health ok)",
      "cold TTFT",
      "priming: 2 requests of one set at once",
      "warm TTFT",
      "decode, one stream",
      "1 concurrent stream (aggregate)",
      "2 concurrent streams (aggregate)",
      "target: 2 streams ÷ 1 stream",
    ]) {
      expect(stdout).toContain(`| ${measure}`);
    }
    // The priming stage: one sequence evaluated the prefix, the other got it without evaluating.
    expect(stdout).toMatch(/\| priming: 2 requests of one set at once \| [^|]+ \| 1 of 2 got the \d+-token prefix without evaluating it \|/);
    // Where a streamed token's time went in the streams stage, from the server's /metrics.
    expect(stdout).toMatch(/^\| where a streamed token's time went \(streams stage\) \| [\d.]+ ms waiting for the engine, [\d.]+ ms in the HTTP pipeline \| per token over \d+ tokens/m);
    // Then the cold-start comparison on a fresh engine: sharing off evaluates every prefix, on copies one.
    expect(stdout).toContain("## Cold start, N concurrent streams of one set (parallel 2, 4 tokens each)");
    expect(stdout).toMatch(/^\| 2 \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| 0 % \| [1-9]\d? % \|$/m);
    expect(stdout).toMatch(/S1\. cold 2 streams: aggregate after ÷ before sharing: [\d.]+ \/ [\d.]+ tok\/s = [\d.]+/);
  }, 120_000);
});
