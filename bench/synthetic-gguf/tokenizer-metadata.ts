/**
 * @module bench/synthetic-gguf/tokenizer-metadata
 * Takes a tokenizer from an existing GGUF: every `tokenizer.ggml.*` entry
 * (vocabulary, scores, token types, merges, special token ids, flags).
 * node-llama-cpp's `readGgufFileInfo` parses the values but drops their GGUF
 * types, so the types are restored from llama.cpp's conventions for these
 * keys, and inferred from the JS value for any key not listed.
 */
import { readGgufFileInfo } from "node-llama-cpp";
import type { GgufMetadataEntry, GgufMetadataValue, GgufScalarTypeName } from "./gguf-metadata.js";

/** The copied entries and the vocabulary size they define. */
export interface TokenizerMetadata {
  entries: GgufMetadataEntry[];
  tokens: readonly string[];
}

const TOKENIZER_PREFIX = "tokenizer.ggml.";

/** GGUF types llama.cpp's converters write for the tokenizer keys (gguf-py `Keys.Tokenizer`). */
const knownTypes: Record<string, GgufScalarTypeName | `${GgufScalarTypeName}[]`> = {
  "tokenizer.ggml.model": "string",
  "tokenizer.ggml.pre": "string",
  "tokenizer.ggml.tokens": "string[]",
  "tokenizer.ggml.merges": "string[]",
  "tokenizer.ggml.scores": "float32[]",
  "tokenizer.ggml.token_type": "int32[]",
  "tokenizer.ggml.token_type_count": "uint32",
  "tokenizer.ggml.precompiled_charsmap": "uint8[]",
  "tokenizer.ggml.add_bos_token": "bool",
  "tokenizer.ggml.add_eos_token": "bool",
  "tokenizer.ggml.add_sep_token": "bool",
  "tokenizer.ggml.add_space_prefix": "bool",
  "tokenizer.ggml.remove_extra_whitespaces": "bool",
};

/** Reads `path`'s header (not its tensors) and returns its tokenizer entries, typed. */
export async function readTokenizerMetadata(path: string): Promise<TokenizerMetadata> {
  const info = await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false });
  const flat = flattenMetadata(info.metadata as unknown as Record<string, unknown>);
  const entries: GgufMetadataEntry[] = [];
  for (const [key, value] of flat) {
    if (key.startsWith(TOKENIZER_PREFIX)) entries.push([key, typeMetadataValue(key, value)]);
  }
  const tokens = flat.get("tokenizer.ggml.tokens");
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((token) => typeof token === "string")) {
    throw new Error(`${path} has no tokenizer.ggml.tokens vocabulary to copy`);
  }
  return { entries, tokens };
}

/** node-llama-cpp nests metadata by dotted key; this undoes that. */
export function flattenMetadata(nested: Record<string, unknown>, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(nested)) {
    const fullKey = prefix === "" ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) flattenMetadata(value as Record<string, unknown>, fullKey, into);
    else into.set(fullKey, value);
  }
  return into;
}

/** The GGUF-typed form of a parsed value: by llama.cpp convention for known keys, else by the value's JS type. */
export function typeMetadataValue(key: string, value: unknown): GgufMetadataValue {
  const known = knownTypes[key] ?? (key.endsWith("_token_id") ? "uint32" : undefined);
  if (known !== undefined) {
    if (known.endsWith("[]")) {
      if (!Array.isArray(value)) throw new TypeError(`${key}: expected an array, got ${typeof value}`);
      return { type: "array", itemType: known.slice(0, -2), values: value } as GgufMetadataValue;
    }
    return { type: known, value } as GgufMetadataValue;
  }
  if (Array.isArray(value)) {
    const first = value[0];
    return { type: "array", itemType: inferScalarType(value.length === 0 ? "" : first, value), values: value } as GgufMetadataValue;
  }
  return { type: inferScalarType(value, [value]), value } as GgufMetadataValue;
}

function inferScalarType(sample: unknown, all: readonly unknown[]): GgufScalarTypeName {
  if (typeof sample === "string") return "string";
  if (typeof sample === "boolean") return "bool";
  if (typeof sample === "bigint") return all.some((item) => typeof item === "bigint" && item < 0n) ? "int64" : "uint64";
  if (typeof sample === "number") {
    const numbers = all as readonly number[];
    if (!numbers.every(Number.isInteger)) return "float32";
    return numbers.some((item) => item < 0) ? "int32" : "uint32";
  }
  throw new TypeError(`cannot infer a GGUF type for a ${typeof sample} value`);
}
