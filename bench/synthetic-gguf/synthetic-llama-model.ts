/**
 * @module bench/synthetic-gguf/synthetic-llama-model
 * Builds and writes a llama-architecture GGUF with random weights at a given
 * shape and a tokenizer copied from another GGUF. It loads and runs like a
 * real model of that shape, so its speed is real; its text is noise.
 */
import { basename } from "node:path";
import { FILE_TYPE_OF_WEIGHT_TYPE, type GgmlTypeName } from "./gguf-format.js";
import { gguf, type GgufMetadataEntry } from "./gguf-metadata.js";
import { elementCount, writeGgufFile, type GgufTensor } from "./gguf-writer.js";
import { llamaTensorSpecs, validateLlamaShape, type LlamaShape } from "./llama-shape.js";
import { SeededNormal } from "./seeded-normal.js";
import { padVocabulary } from "./pad-vocabulary.js";
import { onesF32, randomNormal } from "./tensor-data.js";
import { readTokenizerMetadata } from "./tokenizer-metadata.js";

/** Standard deviation of the random weights (the usual initialiser scale of small llamas). */
export const WEIGHT_DEVIATION = 0.02;
/** RMS norm epsilon written to the file. */
export const RMS_NORM_EPSILON = 1e-5;

export interface SyntheticLlamaOptions {
  /** GGUF whose `tokenizer.ggml.*` metadata (vocabulary, special token ids, …) is copied. */
  tokenizerFrom: string;
  shape: LlamaShape;
  /** Type of the 2-D weights; norm weights are always F32. */
  weightType: Extract<GgmlTypeName, "f16" | "q8_0">;
  /**
   * Pad the copied vocabulary with placeholder tokens up to this many tokens
   * (a real model's vocabulary size), so the output layer and sampling cost
   * what they would. Defaults to the source's own size (no padding).
   */
  vocabularySize?: number;
  /** Seed of the random weights (an unsigned 32-bit integer): the same seed gives the same bytes. */
  seed: number;
  /** Where to write the file (via `out + ".partial"`). */
  out: string;
  /** `general.name`; defaults to `synthetic-<layers>x<embedding>-<type>-seed<seed>`. */
  name?: string;
  /** Called after each tensor is written, with the number written so far and the total. */
  onProgress?: (written: number, total: number) => void;
}

export interface SyntheticLlamaResult {
  path: string;
  /** Elements over all tensors (embedding and output counted separately: they are not tied). */
  parameters: number;
  bytes: number;
  vocabularySize: number;
}

/** Writes the synthetic model described by `options`. */
export async function writeSyntheticLlamaModel(options: SyntheticLlamaOptions): Promise<SyntheticLlamaResult> {
  const { shape, weightType, seed } = options;
  validateLlamaShape(shape, weightType);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const source = await readTokenizerMetadata(options.tokenizerFrom);
  const tokenizer = options.vocabularySize === undefined ? source : padVocabulary(source, options.vocabularySize);
  const vocabularySize = tokenizer.tokens.length;
  const name = options.name ?? `synthetic-${shape.layers}x${shape.embedding}-${weightType}-seed${seed}`;
  const metadata: GgufMetadataEntry[] = [
    ["general.architecture", gguf.string("llama")],
    ["general.name", gguf.string(name)],
    [
      "general.description",
      gguf.string(
        `Random weights (seed ${seed}, std ${WEIGHT_DEVIATION}) with the tokenizer of ${basename(options.tokenizerFrom)}${vocabularySize > source.tokens.length ? ` padded to ${vocabularySize} tokens` : ""}, for speed benchmarks: its text is noise.`,
      ),
    ],
    ["general.file_type", gguf.uint32(FILE_TYPE_OF_WEIGHT_TYPE[weightType])],
    ...(weightType === "q8_0" ? [["general.quantization_version", gguf.uint32(2)] as const] : []),
    ["llama.vocab_size", gguf.uint32(vocabularySize)],
    ["llama.context_length", gguf.uint32(shape.context)],
    ["llama.embedding_length", gguf.uint32(shape.embedding)],
    ["llama.block_count", gguf.uint32(shape.layers)],
    ["llama.feed_forward_length", gguf.uint32(shape.feedForward)],
    ["llama.attention.head_count", gguf.uint32(shape.heads)],
    ["llama.attention.head_count_kv", gguf.uint32(shape.kvHeads)],
    ["llama.rope.dimension_count", gguf.uint32(shape.embedding / shape.heads)],
    ["llama.attention.layer_norm_rms_epsilon", gguf.float32(RMS_NORM_EPSILON)],
    ...tokenizer.entries,
  ];
  const tensors: GgufTensor[] = llamaTensorSpecs(shape, vocabularySize).map((spec) => {
    const elements = elementCount(spec.dimensions);
    return spec.kind === "norm"
      ? { name: spec.name, dimensions: spec.dimensions, type: "f32", data: () => onesF32(elements) }
      : { name: spec.name, dimensions: spec.dimensions, type: weightType, data: () => randomNormal(elements, weightType, new SeededNormal(seed, spec.name), WEIGHT_DEVIATION) };
  });
  const bytes = await writeGgufFile(options.out, { metadata, tensors }, (_tensor, index) => options.onProgress?.(index + 1, tensors.length));
  const parameters = tensors.reduce((sum, tensor) => sum + elementCount(tensor.dimensions), 0);
  return { path: options.out, parameters, bytes, vocabularySize };
}
