/**
 * @module bench/synthetic-gguf/make-synthetic-gguf
 * `npm run bench:make-model -- [--preset 135m|360m|1b|tiny] [--embedding N
 * --layers N --heads N --kv-heads N --ffn N --context N] [--vocab-size N]
 * [--type f16|q8_0] [--seed N] [--tokenizer-from FILE.gguf] [--out FILE.gguf]`
 *
 * Writes a llama GGUF with random weights (see README.md) and prints its
 * parameter count, file size and the time it took.
 */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { llamaPresets, type LlamaPresetName, type LlamaShape } from "./llama-shape.js";
import { writeSyntheticLlamaModel } from "./synthetic-llama-model.js";

const usage = `usage: make-synthetic-gguf [--preset ${Object.keys(llamaPresets).join("|")}] [--embedding N] [--layers N] [--heads N]
  [--kv-heads N] [--ffn N] [--context N] [--vocab-size N] [--type f16|q8_0] [--seed N] [--tokenizer-from FILE.gguf]
  [--out FILE.gguf] [--name NAME]
Shape options override the preset's values. --vocab-size pads the copied vocabulary with placeholder tokens
(default: the source's own size). The text such a model writes is noise: it is for speed benchmarks.`;

const { values } = parseCommandLine({
  options: {
    "tokenizer-from": { type: "string", default: process.env.URIAL_TEST_MODEL ?? resolve("../shared/models/stories260K.gguf") },
    preset: { type: "string", default: "135m" },
    embedding: { type: "string" },
    layers: { type: "string" },
    heads: { type: "string" },
    "kv-heads": { type: "string" },
    ffn: { type: "string" },
    context: { type: "string" },
    "vocab-size": { type: "string" },
    type: { type: "string", default: "q8_0" },
    seed: { type: "string", default: "1" },
    out: { type: "string" },
    name: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
/** `parseArgs`, with an unknown or malformed option reported as a usage error. */
function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}

/** A non-negative integer option, or an error that names it. */
function integerOption(option: string, text: string): number {
  if (!/^\d+$/.test(text)) fail(`--${option} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** Exits with `message`, and the usage when the command line was wrong. */
function fail(message: string, showUsage = true): never {
  console.error(`make-synthetic-gguf: ${message}${showUsage ? `\n${usage}` : ""}`);
  process.exit(showUsage ? 2 : 1);
}

const presetName = values.preset!;
if (!Object.hasOwn(llamaPresets, presetName)) fail(`--preset must be one of ${Object.keys(llamaPresets).join(", ")}, got "${presetName}"`);
const preset = llamaPresets[presetName as LlamaPresetName];
const overrides: [keyof LlamaShape, string][] = [
  ["embedding", "embedding"],
  ["layers", "layers"],
  ["heads", "heads"],
  ["kvHeads", "kv-heads"],
  ["feedForward", "ffn"],
  ["context", "context"],
];
const shape: LlamaShape = {
  embedding: preset.embedding,
  layers: preset.layers,
  heads: preset.heads,
  kvHeads: preset.kvHeads,
  feedForward: preset.feedForward,
  context: preset.context,
};
let custom = false;
for (const [key, option] of overrides) {
  const text = values[option as keyof typeof values];
  if (typeof text === "string") {
    shape[key] = integerOption(option, text);
    custom ||= shape[key] !== preset[key];
  }
}
const weightType = values.type!;
if (weightType !== "f16" && weightType !== "q8_0") fail(`--type must be f16 or q8_0, got "${weightType}"`);
const seed = integerOption("seed", values.seed!);
const vocabularySize = values["vocab-size"] === undefined ? undefined : integerOption("vocab-size", values["vocab-size"]);
const label = custom ? `${shape.layers}x${shape.embedding}` : presetName;
const out = resolve(values.out ?? `bench/models/synthetic-${label}-${weightType}-seed${seed}.gguf`);
await mkdir(dirname(out), { recursive: true });

const started = performance.now();
let lastDecile = 0;
const result = await writeSyntheticLlamaModel({
  tokenizerFrom: values["tokenizer-from"]!,
  shape,
  weightType,
  seed,
  out,
  vocabularySize,
  name: values.name ?? `synthetic-${label}-${weightType}-seed${seed}`,
  onProgress: (written, total) => {
    const decile = Math.floor((written / total) * 10);
    if (decile > lastDecile) {
      lastDecile = decile;
      process.stderr.write(`  ${decile * 10}% (${written}/${total} tensors)\n`);
    }
  },
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error), error instanceof RangeError));
const seconds = (performance.now() - started) / 1000;

const shapeText = `embedding ${shape.embedding}, ${shape.layers} layers, ${shape.heads} heads / ${shape.kvHeads} kv heads, ffn ${shape.feedForward}, context ${shape.context}`;
const origin = custom ? "custom" : preset.modelledOn === null ? `preset ${presetName}` : `preset ${presetName} (modelled on ${preset.modelledOn.model})`;
const real = custom ? null : preset.modelledOn;
const vocabularyNote =
  real !== null && result.vocabularySize < real.vocabularySize ? `; ${real.model} has ${real.vocabularySize}: add --vocab-size ${real.vocabularySize} for its output-layer and sampling cost` : "";
console.log(`wrote ${result.path}
  shape:      ${origin}: ${shapeText}
  vocabulary: ${result.vocabularySize} tokens from ${values["tokenizer-from"]}${vocabularyNote}
  parameters: ${result.parameters.toLocaleString("en-US")} (${(result.parameters / 1e6).toFixed(1)} M; embedding and output not tied)
  file size:  ${result.bytes.toLocaleString("en-US")} bytes (${(result.bytes / 2 ** 20).toFixed(1)} MiB), ${weightType} weights, F32 norms
  time:       ${seconds.toFixed(1)} s
Random weights: the model runs at the speed of a real one of this shape, but its text is noise.`);
