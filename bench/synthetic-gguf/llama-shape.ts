/**
 * @module bench/synthetic-gguf/llama-shape
 * The hyper-parameters of a llama-architecture model, the presets modelled on
 * real models, and the tensors (names and ggml shapes) such a model has.
 */
import { Q8_0_BLOCK_LENGTH, type GgmlTypeName } from "./gguf-format.js";

/** What sets a llama model's compute shape. */
export interface LlamaShape {
  /** Hidden size (`llama.embedding_length`). */
  embedding: number;
  /** Transformer blocks (`llama.block_count`). */
  layers: number;
  /** Attention heads (`llama.attention.head_count`); must divide `embedding`. */
  heads: number;
  /** Key/value heads (`llama.attention.head_count_kv`); must divide `heads` (grouped-query attention). */
  kvHeads: number;
  /** Feed-forward hidden size (`llama.feed_forward_length`). */
  feedForward: number;
  /** Training context length written to the file (`llama.context_length`). */
  context: number;
}

/** What a preset copies: the real model's name and vocabulary size (for `--vocab-size`), when it has one. */
export interface LlamaPresetOrigin {
  modelledOn: { model: string; vocabularySize: number } | null;
}

/** Preset name → shape, and the real model it copies. */
export const llamaPresets = {
  tiny: { modelledOn: null, embedding: 64, layers: 2, heads: 4, kvHeads: 2, feedForward: 128, context: 2048 },
  "135m": { modelledOn: { model: "SmolLM2-135M", vocabularySize: 49152 }, embedding: 576, layers: 30, heads: 9, kvHeads: 3, feedForward: 1536, context: 2048 },
  "360m": { modelledOn: { model: "SmolLM2-360M", vocabularySize: 49152 }, embedding: 960, layers: 32, heads: 15, kvHeads: 5, feedForward: 2560, context: 2048 },
  "1b": { modelledOn: { model: "Llama-3.2-1B", vocabularySize: 128256 }, embedding: 2048, layers: 16, heads: 32, kvHeads: 8, feedForward: 8192, context: 2048 },
} as const satisfies Record<string, LlamaShape & LlamaPresetOrigin>;
export type LlamaPresetName = keyof typeof llamaPresets;

/** Throws, naming the CLI option and the rule, if `shape` cannot make a valid model with `weightType` weights. */
export function validateLlamaShape(shape: LlamaShape, weightType: GgmlTypeName): void {
  const options: Record<keyof LlamaShape, string> = {
    embedding: "--embedding",
    layers: "--layers",
    heads: "--heads",
    kvHeads: "--kv-heads",
    feedForward: "--ffn",
    context: "--context",
  };
  for (const key of Object.keys(options) as (keyof LlamaShape)[]) {
    if (!Number.isSafeInteger(shape[key]) || shape[key] < 1) throw new RangeError(`${options[key]} must be a positive integer, got ${shape[key]}`);
  }
  if (shape.embedding % shape.heads !== 0) throw new RangeError(`--heads (${shape.heads}) must divide --embedding (${shape.embedding})`);
  if (shape.heads % shape.kvHeads !== 0) throw new RangeError(`--kv-heads (${shape.kvHeads}) must divide --heads (${shape.heads})`);
  if ((shape.embedding / shape.heads) % 2 !== 0) throw new RangeError(`the head size --embedding / --heads (${shape.embedding / shape.heads}) must be even for RoPE`);
  if (weightType === "q8_0") {
    // Every weight's row length (ne0) is the embedding or the feed-forward size.
    for (const key of ["embedding", "feedForward"] as const) {
      if (shape[key] % Q8_0_BLOCK_LENGTH !== 0) throw new RangeError(`${options[key]} (${shape[key]}) must be a multiple of ${Q8_0_BLOCK_LENGTH} for q8_0`);
    }
  }
}

/** One tensor of the model: norms are vectors of ones, weights are random matrices. */
export interface LlamaTensorSpec {
  name: string;
  dimensions: readonly number[];
  kind: "norm" | "weight";
}

/**
 * The tensors llama.cpp expects for a llama model, in the order its
 * converter writes them. Dimensions are ggml order (row length first), so
 * `attn_k` is [embedding, kv embedding] and `ffn_down` is [feed-forward, embedding].
 * The output projection is its own tensor (not tied to the embedding).
 */
export function llamaTensorSpecs(shape: LlamaShape, vocabularySize: number): LlamaTensorSpec[] {
  const { embedding, feedForward } = shape;
  const kvEmbedding = (embedding / shape.heads) * shape.kvHeads;
  const specs: LlamaTensorSpec[] = [
    { name: "token_embd.weight", dimensions: [embedding, vocabularySize], kind: "weight" },
    { name: "output_norm.weight", dimensions: [embedding], kind: "norm" },
    { name: "output.weight", dimensions: [embedding, vocabularySize], kind: "weight" },
  ];
  for (let layer = 0; layer < shape.layers; layer += 1) {
    const block = `blk.${layer}`;
    specs.push(
      { name: `${block}.attn_norm.weight`, dimensions: [embedding], kind: "norm" },
      { name: `${block}.attn_q.weight`, dimensions: [embedding, embedding], kind: "weight" },
      { name: `${block}.attn_k.weight`, dimensions: [embedding, kvEmbedding], kind: "weight" },
      { name: `${block}.attn_v.weight`, dimensions: [embedding, kvEmbedding], kind: "weight" },
      { name: `${block}.attn_output.weight`, dimensions: [embedding, embedding], kind: "weight" },
      { name: `${block}.ffn_norm.weight`, dimensions: [embedding], kind: "norm" },
      { name: `${block}.ffn_gate.weight`, dimensions: [embedding, feedForward], kind: "weight" },
      { name: `${block}.ffn_up.weight`, dimensions: [embedding, feedForward], kind: "weight" },
      { name: `${block}.ffn_down.weight`, dimensions: [feedForward, embedding], kind: "weight" },
    );
  }
  return specs;
}
