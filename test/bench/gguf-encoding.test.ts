/**
 * The synthetic GGUF generator's encoders, checked on bytes worked out by
 * hand: f16 rounding, Q8_0 blocks, metadata entries, the header and the
 * tensor layout. No model file is needed.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ByteWriter } from "../../bench/synthetic-gguf/byte-writer.js";
import { encodeMetadataEntry, type GgufMetadataValue } from "../../bench/synthetic-gguf/gguf-metadata.js";
import { encodeGgufHeader, ggufFileSize, writeGgufFile, type GgufTensor } from "../../bench/synthetic-gguf/gguf-writer.js";
import { float32ToFloat16Bits } from "../../bench/synthetic-gguf/half-float.js";
import { validateLlamaShape, llamaPresets } from "../../bench/synthetic-gguf/llama-shape.js";
import { padVocabulary } from "../../bench/synthetic-gguf/pad-vocabulary.js";
import { encodeQ8_0 } from "../../bench/synthetic-gguf/q8-0.js";
import { SeededNormal } from "../../bench/synthetic-gguf/seeded-normal.js";
import { typeMetadataValue } from "../../bench/synthetic-gguf/tokenizer-metadata.js";

/** Little-endian bytes from hex, spaces ignored. */
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");
const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};
const u64 = (value: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(value));
  return bytes;
};
const ggufString = (text: string) => Buffer.concat([u64(Buffer.byteLength(text)), Buffer.from(text)]);
const entryBytes = (key: string, value: GgufMetadataValue) => {
  const writer = new ByteWriter();
  encodeMetadataEntry(writer, key, value);
  return Buffer.from(writer.bytes());
};

describe("float32ToFloat16Bits", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [0.1, 0x2e66],
    [65504, 0x7bff], // largest finite half
    [65519, 0x7bff], // below the midpoint to the next (infinite) step
    [65520, 0x7c00], // the midpoint rounds to even: infinity
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: ties to even (zero)
    [1.5 * 2 ** -25, 0x0001],
    [1 + 2 ** -11, 0x3c00], // tie between 1 and 1 + 2^-10: even mantissa wins
    [1 + 3 * 2 ** -11, 0x3c02], // tie between mantissa 1 and 2: 2
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
  ] as const)("%d", (value, bits) => {
    expect(float32ToFloat16Bits(value).toString(16).padStart(4, "0")).toBe(bits.toString(16).padStart(4, "0"));
  });

  it("keeps NaN a (quiet) NaN", () => {
    expect(float32ToFloat16Bits(Number.NaN)).toBe(0x7e00);
  });
});

describe("encodeQ8_0", () => {
  const block = (values: number[]) => {
    const padded = new Float32Array(32);
    padded.set(values);
    return padded;
  };

  it("scales by max|x| / 127 (as f16) and rounds halves away from zero", () => {
    const target = new Uint8Array(34);
    expect(encodeQ8_0(block([127, -2.5, 2.5, -0.5, 0.49, 1.5, -1.5]), target)).toBe(34);
    // d = 1 → f16 0x3c00; q = 127, -3, 3, -1, 0, 2, -2, then zeros.
    expect(Buffer.from(target)).toEqual(Buffer.concat([hex("00 3c  7f fd 03 ff 00 02 fe"), Buffer.alloc(25)]));
  });

  it("takes the scale from the largest magnitude even when it is negative", () => {
    const target = new Uint8Array(34);
    encodeQ8_0(block([-63.5, 1.25, -0.75, 0.2]), target);
    // d = 0.5 → 0x3800; x / d = -127, 2.5, -1.5, 0.4 → -127, 3, -2, 0.
    expect(Buffer.from(target)).toEqual(Buffer.concat([hex("00 38  81 03 fe 00"), Buffer.alloc(28)]));
  });

  it("stores a scale that f16 cannot hold exactly rounded, but quantises with the float32 scale", () => {
    const target = new Uint8Array(34);
    encodeQ8_0(block([1, 0.5, -0.25]), target);
    // d = 1/127 ≈ 0.0078740 → f16 0x2008 (0.0078735); 1/d rounds to 127 in float32: 127, 63.5 → 64, -31.75 → -32.
    expect(Buffer.from(target)).toEqual(Buffer.concat([hex("08 20  7f 40 e0"), Buffer.alloc(29)]));
  });

  it("writes an all-zero block as a zero scale and zeros, and encodes blocks one after another", () => {
    const values = new Float32Array(64);
    values[32] = -127;
    const target = new Uint8Array(68 + 3).fill(0xaa);
    expect(encodeQ8_0(values, target, 3)).toBe(68);
    expect(Buffer.from(target.subarray(0, 3))).toEqual(hex("aa aa aa"));
    expect(Buffer.from(target.subarray(3, 37))).toEqual(Buffer.alloc(34));
    expect(Buffer.from(target.subarray(37, 40))).toEqual(hex("00 3c 81"));
  });

  it("rejects a length that is not a whole number of blocks", () => {
    expect(() => encodeQ8_0(new Float32Array(40), new Uint8Array(100))).toThrow(/multiple of 32/);
  });
});

describe("GGUF metadata entries", () => {
  it("encodes key, type tag and value for each scalar type", () => {
    expect(entryBytes("n", { type: "uint32", value: 7 })).toEqual(Buffer.concat([ggufString("n"), hex("04000000 07000000")]));
    expect(entryBytes("e", { type: "float32", value: 1.5 })).toEqual(Buffer.concat([ggufString("e"), hex("06000000 0000c03f")]));
    expect(entryBytes("b", { type: "bool", value: true })).toEqual(Buffer.concat([ggufString("b"), hex("07000000 01")]));
    expect(entryBytes("s", { type: "string", value: "hé" })).toEqual(Buffer.concat([ggufString("s"), hex("08000000"), u64(3), hex("68 c3a9")]));
  });

  it("encodes arrays as element type, u64 count, elements", () => {
    expect(entryBytes("t", { type: "array", itemType: "string", values: ["a", "bc"] })).toEqual(
      Buffer.concat([ggufString("t"), hex("09000000 08000000"), u64(2), u64(1), Buffer.from("a"), u64(2), Buffer.from("bc")]),
    );
    expect(entryBytes("i", { type: "array", itemType: "int32", values: [-1, 2] })).toEqual(Buffer.concat([ggufString("i"), hex("09000000 05000000"), u64(2), hex("ffffffff 02000000")]));
    expect(entryBytes("f", { type: "array", itemType: "float32", values: [0.5] })).toEqual(Buffer.concat([ggufString("f"), hex("09000000 06000000"), u64(1), hex("0000003f")]));
  });

  it("refuses a value of the wrong JS type", () => {
    expect(() => entryBytes("x", { type: "uint32", value: "7" as unknown as number })).toThrow(/expected a number/);
  });
});

describe("encodeGgufHeader", () => {
  it("writes magic, version 3, counts, metadata + general.alignment, tensor infos and pads to 32", () => {
    const tensors: GgufTensor[] = [
      { name: "t", dimensions: [32, 2], type: "f32", data: () => [] },
      { name: "u", dimensions: [32], type: "q8_0", data: () => [] },
    ];
    const header = encodeGgufHeader({ metadata: [["a", { type: "string", value: "hi" }]], tensors });
    const unpadded = Buffer.concat([
      Buffer.from("GGUF"),
      u32(3),
      u64(2), // tensors
      u64(2), // metadata entries: "a" and general.alignment
      ggufString("a"),
      u32(8),
      ggufString("hi"),
      ggufString("general.alignment"),
      u32(4),
      u32(32),
      // tensor infos: name, dimension count, dimensions (ne0 first), ggml type, data offset
      ggufString("t"),
      u32(2),
      u64(32),
      u64(2),
      u32(0),
      u64(0),
      ggufString("u"),
      u32(1),
      u64(32),
      u32(8),
      u64(256), // 64 f32 = 256 bytes, already aligned
    ]);
    const paddedLength = Math.ceil(unpadded.length / 32) * 32;
    expect(header).toEqual(Buffer.concat([unpadded, Buffer.alloc(paddedLength - unpadded.length)]));
  });

  it("leaves general.alignment to the writer", () => {
    expect(() => encodeGgufHeader({ metadata: [["general.alignment", { type: "uint32", value: 64 }]], tensors: [] })).toThrow(/written by the GGUF writer/);
  });
});

describe("writeGgufFile", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "gguf-writer-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("aligns every tensor's data and is read back by node-llama-cpp's parser", async () => {
    const ones = (count: number) => () => [Buffer.alloc(count * 4, hex("0000803f"))];
    const contents = {
      metadata: [["general.architecture", { type: "string", value: "llama" }] as const],
      tensors: [
        { name: "a", dimensions: [10], type: "f32", data: ones(10) },
        { name: "b", dimensions: [3], type: "f32", data: ones(3) },
      ] satisfies GgufTensor[],
    };
    const path = join(directory, "two.gguf");
    const bytes = await writeGgufFile(path, contents);
    expect(bytes).toBe(ggufFileSize(contents));
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.tensorInfo?.map(({ name, dimensions, ggmlType, offset }) => ({ name, dimensions, ggmlType, offset }))).toEqual([
      { name: "a", dimensions: [10], ggmlType: 0, offset: 0 },
      { name: "b", dimensions: [3], ggmlType: 0, offset: 64 },
    ]);
    const file = await readFile(path);
    const dataStart = encodeGgufHeader(contents).length;
    expect(dataStart % 32).toBe(0);
    expect(file.readFloatLE(dataStart + 64)).toBe(1);
    expect(file.length).toBe(dataStart + 64 + 32);
  });

  it("removes the partial file and keeps the target name free when a tensor's data is short", async () => {
    const path = join(directory, "short.gguf");
    const tensors: GgufTensor[] = [{ name: "a", dimensions: [4], type: "f32", data: () => [Buffer.alloc(8)] }];
    await expect(writeGgufFile(path, { metadata: [], tensors })).rejects.toThrow(/tensor a: data gave 8 bytes, expected 16/);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${path}.partial`)).rejects.toThrow(/ENOENT/);
  });
});

describe("SeededNormal", () => {
  const sample = (seed: number, stream: string, length = 100_000) => {
    const values = new Float32Array(length);
    new SeededNormal(seed, stream).fill(values, 0.02);
    return values;
  };

  it("is reproducible per (seed, stream) and differs across either", () => {
    expect(sample(1, "x", 64)).toEqual(sample(1, "x", 64));
    expect(sample(1, "x", 64)).not.toEqual(sample(2, "x", 64));
    expect(sample(1, "x", 64)).not.toEqual(sample(1, "y", 64));
  });

  it("has mean ≈ 0 and standard deviation ≈ the one asked for", () => {
    const values = sample(3, "stats");
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.0005);
    expect(deviation).toBeGreaterThan(0.0196);
    expect(deviation).toBeLessThan(0.0204);
  });
});

describe("typeMetadataValue", () => {
  it("restores llama.cpp's types for tokenizer keys that JS values cannot tell apart", () => {
    expect(typeMetadataValue("tokenizer.ggml.scores", [0, 1])).toEqual({ type: "array", itemType: "float32", values: [0, 1] });
    expect(typeMetadataValue("tokenizer.ggml.token_type", [1, 3])).toEqual({ type: "array", itemType: "int32", values: [1, 3] });
    expect(typeMetadataValue("tokenizer.ggml.eos_token_id", 2)).toEqual({ type: "uint32", value: 2 });
    expect(typeMetadataValue("tokenizer.ggml.add_bos_token", true)).toEqual({ type: "bool", value: true });
  });

  it("infers a type for keys it does not know", () => {
    expect(typeMetadataValue("tokenizer.ggml.new_thing", "x")).toEqual({ type: "string", value: "x" });
    expect(typeMetadataValue("tokenizer.ggml.new_list", [1, -2])).toEqual({ type: "array", itemType: "int32", values: [1, -2] });
    expect(typeMetadataValue("tokenizer.ggml.new_floats", [1, 0.5])).toEqual({ type: "array", itemType: "float32", values: [1, 0.5] });
  });
});

describe("padVocabulary", () => {
  const source = {
    tokens: ["<unk>", "a"],
    entries: [
      ["tokenizer.ggml.model", { type: "string", value: "llama" }],
      ["tokenizer.ggml.tokens", { type: "array", itemType: "string", values: ["<unk>", "a"] }],
      ["tokenizer.ggml.scores", { type: "array", itemType: "float32", values: [0, -3] }],
      ["tokenizer.ggml.token_type", { type: "array", itemType: "int32", values: [2, 1] }],
    ] as const,
  };

  it("appends normal, lowest-scored placeholder tokens to every per-token array", () => {
    const padded = padVocabulary({ tokens: source.tokens, entries: [...source.entries] }, 4);
    expect(padded.tokens).toEqual(["<unk>", "a", "<synthetic-pad-0>", "<synthetic-pad-1>"]);
    expect(Object.fromEntries(padded.entries)).toEqual({
      "tokenizer.ggml.model": { type: "string", value: "llama" },
      "tokenizer.ggml.tokens": { type: "array", itemType: "string", values: padded.tokens },
      "tokenizer.ggml.scores": { type: "array", itemType: "float32", values: [0, -3, -4, -4] },
      "tokenizer.ggml.token_type": { type: "array", itemType: "int32", values: [2, 1, 1, 1] },
    });
  });

  it("refuses to shrink", () => {
    expect(() => padVocabulary({ tokens: source.tokens, entries: [...source.entries] }, 1)).toThrow(/--vocab-size must be .* at least the source's 2 tokens/);
  });
});

describe("validateLlamaShape", () => {
  it("accepts every preset in both weight types", () => {
    for (const preset of Object.values(llamaPresets)) {
      expect(() => validateLlamaShape(preset, "f16")).not.toThrow();
      expect(() => validateLlamaShape(preset, "q8_0")).not.toThrow();
    }
  });

  it("names the option and the rule it breaks", () => {
    const tiny = llamaPresets.tiny;
    expect(() => validateLlamaShape({ ...tiny, heads: 5 }, "f16")).toThrow("--heads (5) must divide --embedding (64)");
    expect(() => validateLlamaShape({ ...tiny, kvHeads: 3 }, "f16")).toThrow("--kv-heads (3) must divide --heads (4)");
    expect(() => validateLlamaShape({ ...tiny, feedForward: 100 }, "q8_0")).toThrow("--ffn (100) must be a multiple of 32 for q8_0");
    expect(() => validateLlamaShape({ ...tiny, feedForward: 100 }, "f16")).not.toThrow();
    expect(() => validateLlamaShape({ ...tiny, layers: 0 }, "f16")).toThrow("--layers must be a positive integer, got 0");
  });
});
