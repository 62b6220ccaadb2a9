/**
 * @module bench/synthetic-gguf/pad-vocabulary
 * Grows a copied vocabulary to a real model's size with placeholder tokens.
 * A small source vocabulary (stories260K has 512 tokens) leaves out the cost
 * that scales with the vocabulary: the output projection (a fifth of the
 * compute of SmolLM2-135M, whose vocabulary has 49,152 tokens) and sampling
 * over all logits. Placeholders are plain tokens (`<synthetic-pad-N>`, type
 * NORMAL, lowest score) that no text tokenizes to; only generation emits them.
 */
import type { GgufMetadataEntry, GgufMetadataValue } from "./gguf-metadata.js";
import type { TokenizerMetadata } from "./tokenizer-metadata.js";

/** llama.cpp's `LLAMA_TOKEN_TYPE_NORMAL`. */
const NORMAL_TOKEN_TYPE = 1;

/** The text of the placeholder with index `index` (0 for the first one added). */
export function placeholderToken(index: number): string {
  return `<synthetic-pad-${index}>`;
}

/** `tokenizer` with placeholder tokens appended until it has `size` tokens. */
export function padVocabulary(tokenizer: TokenizerMetadata, size: number): TokenizerMetadata {
  const sourceSize = tokenizer.tokens.length;
  if (!Number.isSafeInteger(size) || size < sourceSize) throw new RangeError(`--vocab-size must be an integer of at least the source's ${sourceSize} tokens, got ${size}`);
  if (size === sourceSize) return tokenizer;
  const added = Array.from({ length: size - sourceSize }, (_, index) => placeholderToken(index));
  const existing = new Set(tokenizer.tokens);
  const clash = added.find((token) => existing.has(token));
  if (clash !== undefined) throw new Error(`the source vocabulary already has a token "${clash}"; cannot pad it`);
  const tokens = [...tokenizer.tokens, ...added];
  const entries = tokenizer.entries.map(([key, value]): GgufMetadataEntry => [key, padEntry(key, value, tokens, added.length)]);
  return { entries, tokens };
}

function padEntry(key: string, value: GgufMetadataValue, tokens: string[], addedCount: number): GgufMetadataValue {
  if (value.type !== "array") return value;
  switch (key) {
    case "tokenizer.ggml.tokens":
      return { type: "array", itemType: "string", values: tokens };
    case "tokenizer.ggml.scores": {
      const scores = value.values as readonly number[];
      const lowest = scores.reduce((low, score) => Math.min(low, score), 0) - 1;
      return { ...value, values: [...scores, ...new Array<number>(addedCount).fill(lowest)] } as GgufMetadataValue;
    }
    case "tokenizer.ggml.token_type":
      return { ...value, values: [...(value.values as readonly number[]), ...new Array<number>(addedCount).fill(NORMAL_TOKEN_TYPE)] } as GgufMetadataValue;
    default:
      return value;
  }
}
