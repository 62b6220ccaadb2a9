/**
 * @module bench/gpu/gpu-check-options
 * The command line of `bench/gpu/run-gpu-check`: parsed and checked in one
 * pure function, so every rule is tested without a GPU.
 */
import { parseArgs } from "node:util";
import { llamaPresets, type LlamaPresetName } from "../synthetic-gguf/llama-shape.js";

export interface GpuCheckOptions {
  /** `cuda`, `vulkan`, `auto`, or false (CPU only: to try the script without a GPU). */
  gpu: "cuda" | "vulkan" | "auto" | false;
  /** A GGUF to use; undefined: make (or reuse) a synthetic one of `preset`. */
  model: string | undefined;
  preset: LlamaPresetName;
  /** Vocabulary of the synthetic model (default: the real model's the preset copies). */
  vocabSize: number | undefined;
  /** Where the synthetic model is written (reused when it exists). */
  out: string | undefined;
  prefixTokens: number;
  decodeTokens: number;
  /** Sequences of the server; also the most concurrent streams measured. */
  parallel: number;
  contextSize: number;
  rounds: number;
  /** Stream counts measured after priming: 1, 2, 4, … up to `parallel`. */
  streams: number[];
  /** Most seconds to wait for the server to start. */
  startTimeout: number;
  /**
   * Rounds of the cold-start comparison (1/2/4/8 streams of one set on a
   * freshly loaded engine, prefix sharing off, then on); 0 skips it.
   */
  coldRounds: number;
}

export const gpuCheckUsage = `usage: node dist/bench/gpu/run-gpu-check.js [--gpu cuda|vulkan|auto|false] [--model FILE.gguf]
  [--preset 1b|360m|135m|tiny] [--vocab-size N] [--out FILE.gguf] [--prefix-tokens 3000] [--decode-tokens 64]
  [--parallel 8] [--context-size 4096] [--rounds 3] [--start-timeout 600] [--cold-rounds 1]
Starts 'urial serve' on the GPU with every layer offloaded, then measures start-up, cold and warm TTFT,
decode, one stage that primes all sequences with one set at once, and 1/2/4/8-stream aggregate throughput;
prints one table. Then (unless --cold-rounds 0) 1/2/4/8 streams of one set on a freshly loaded engine,
with prefix sharing off and on: the before/after of copying a set's prefix between sequences. Without --model it makes (or reuses) a synthetic model of --preset (default 1b).
--gpu false runs the same script on the CPU (to try it on a machine without a GPU).`;

export type ParsedGpuCheck = { ok: true; help: true } | { ok: true; help: false; options: GpuCheckOptions } | { ok: false; message: string };

export function parseGpuCheckOptions(argv: readonly string[]): ParsedGpuCheck {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        gpu: { type: "string", default: "cuda" },
        model: { type: "string" },
        preset: { type: "string", default: "1b" },
        "vocab-size": { type: "string" },
        out: { type: "string" },
        "prefix-tokens": { type: "string", default: "3000" },
        "decode-tokens": { type: "string", default: "64" },
        parallel: { type: "string", default: "8" },
        "context-size": { type: "string", default: "4096" },
        rounds: { type: "string", default: "3" },
        "start-timeout": { type: "string", default: "600" },
        "cold-rounds": { type: "string", default: "1" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n${gpuCheckUsage}` };
  }
  if (values.help === true) return { ok: true, help: true };
  const errors: string[] = [];
  const whole = (flag: string, text: string, min: number, max: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      errors.push(`--${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
      return min;
    }
    return Number(text);
  };
  const gpuText = values.gpu!;
  const gpu = gpuText === "false" || gpuText === "off" ? false : gpuText;
  if (gpu !== false && gpu !== "cuda" && gpu !== "vulkan" && gpu !== "auto") errors.push(`--gpu must be cuda, vulkan, auto or false, got '${gpuText}'`);
  const preset = values.preset!;
  if (!Object.hasOwn(llamaPresets, preset)) errors.push(`--preset must be one of ${Object.keys(llamaPresets).join(", ")}, got '${preset}'`);
  const parallel = whole("parallel", values.parallel!, 1, 256);
  const contextSize = whole("context-size", values["context-size"]!, 64, 1_000_000);
  const prefixTokens = whole("prefix-tokens", values["prefix-tokens"]!, 32, 1_000_000);
  const decodeTokens = whole("decode-tokens", values["decode-tokens"]!, 2, 100_000);
  if (errors.length === 0 && prefixTokens + decodeTokens + 64 > contextSize) {
    errors.push(`--prefix-tokens (${prefixTokens}) + --decode-tokens (${decodeTokens}) + 64 for the query must fit --context-size (${contextSize})`);
  }
  const options: GpuCheckOptions = {
    gpu: gpu as GpuCheckOptions["gpu"],
    model: values.model,
    preset: preset as LlamaPresetName,
    vocabSize: values["vocab-size"] === undefined ? undefined : whole("vocab-size", values["vocab-size"], 1, 10_000_000),
    out: values.out,
    prefixTokens,
    decodeTokens,
    parallel,
    contextSize,
    rounds: whole("rounds", values.rounds!, 1, 100),
    streams: streamCounts(parallel),
    startTimeout: whole("start-timeout", values["start-timeout"]!, 1, 86_400),
    coldRounds: whole("cold-rounds", values["cold-rounds"]!, 0, 100),
  };
  if (errors.length > 0) return { ok: false, message: errors.join("\n") };
  return { ok: true, help: false, options };
}

/** 1, 2, 4, … below `parallel`, then `parallel` itself. */
export function streamCounts(parallel: number): number[] {
  const counts: number[] = [];
  for (let count = 1; count < parallel; count *= 2) counts.push(count);
  counts.push(parallel);
  return counts;
}
