/**
 * The synthetic model generator end to end, at a tiny shape: the file loads
 * and generates in node-llama-cpp (one thread), has the requested shapes and
 * metadata, carries the source model's tokenizer, and is reproducible by
 * seed. Skipped, visibly, without the source tokenizer model.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaLogLevel, readGgufFileInfo, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType } from "../../bench/synthetic-gguf/gguf-format.js";
import { llamaPresets, llamaTensorSpecs } from "../../bench/synthetic-gguf/llama-shape.js";
import { writeSyntheticLlamaModel, type SyntheticLlamaOptions } from "../../bench/synthetic-gguf/synthetic-llama-model.js";
import { flattenMetadata } from "../../bench/synthetic-gguf/tokenizer-metadata.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

const shape = { ...llamaPresets.tiny, context: 2048 };
const sampleText = "The quick brown fox jumps over the lazy dog.";

describe.skipIf(!testModelExists)(modelSuiteTitle("synthetic GGUF generator (tokenizer from the test model)"), () => {
  let directory: string;
  let llama: Llama;
  let source: Map<string, unknown>;
  let sourceModel: LlamaModel;

  const write = (name: string, options: Partial<SyntheticLlamaOptions> = {}) =>
    writeSyntheticLlamaModel({ tokenizerFrom: testModelPath, shape, weightType: "f16", seed: 7, out: join(directory, name), ...options });

  /** Up to `count` greedy tokens after `text`, with the probability of each. */
  async function generate(model: LlamaModel, text: string, count: number) {
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    try {
      const steps: { token: number; confidence: number }[] = [];
      const sequence = context.getSequence();
      for await (const step of sequence.evaluateWithMetadata(model.tokenize(text), { confidence: true }, { temperature: 0, yieldEogToken: true })) {
        steps.push({ token: step.token, confidence: step.confidence });
        if (steps.length === count) break;
      }
      return steps;
    } finally {
      await context.dispose();
    }
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "synthetic-gguf-"));
    llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
    source = flattenMetadata((await readGgufFileInfo(testModelPath, { readTensorInfo: false, logWarnings: false })).metadata as never);
    sourceModel = await llama.loadModel({ modelPath: testModelPath });
  });

  afterAll(async () => {
    await sourceModel?.dispose();
    await llama?.dispose();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  describe.each(["f16", "q8_0"] as const)("%s weights", (weightType) => {
    let path: string;
    let parameters: number;
    beforeAll(async () => {
      ({ path, parameters } = await write(`tiny-${weightType}.gguf`, { weightType }));
    });

    it("has the requested tensors, shapes and types (norms F32)", async () => {
      const info = await readGgufFileInfo(path, { logWarnings: false });
      const vocabularySize = (source.get("tokenizer.ggml.tokens") as string[]).length;
      const expected = llamaTensorSpecs(shape, vocabularySize).map(({ name, dimensions, kind }) => ({
        name,
        dimensions: [...dimensions],
        ggmlType: kind === "norm" ? GgmlType.f32 : GgmlType[weightType],
      }));
      expect(info.tensorInfo?.map(({ name, dimensions, ggmlType }) => ({ name, dimensions, ggmlType }))).toEqual(expected);
      expect(info.tensorInfo).toHaveLength(3 + 9 * shape.layers);
      expect(info.tensorInfo?.find((tensor) => tensor.name === "blk.1.attn_k.weight")?.dimensions).toEqual([64, 32]);
      expect(info.tensorInfo?.find((tensor) => tensor.name === "blk.1.ffn_down.weight")?.dimensions).toEqual([128, 64]);
      expect(info.tensorInfo?.every((tensor) => Number(tensor.offset) % 32 === 0)).toBe(true);
      expect(parameters).toBe(expected.reduce((sum, tensor) => sum + tensor.dimensions.reduce((product, size) => product * size, 1), 0));
    });

    it("has the llama metadata of the requested shape", async () => {
      const metadata = flattenMetadata((await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false })).metadata as never);
      expect(metadata.get("general.architecture")).toBe("llama");
      expect(metadata.get("general.name")).toBe(`synthetic-2x64-${weightType}-seed7`);
      expect(metadata.get("general.alignment")).toBe(32);
      expect(metadata.get("general.file_type")).toBe(weightType === "f16" ? 1 : 7);
      expect(Object.fromEntries([...metadata].filter(([key]) => key.startsWith("llama.")))).toEqual({
        "llama.vocab_size": 512,
        "llama.context_length": 2048,
        "llama.embedding_length": 64,
        "llama.block_count": 2,
        "llama.feed_forward_length": 128,
        "llama.attention.head_count": 4,
        "llama.attention.head_count_kv": 2,
        "llama.rope.dimension_count": 16,
        "llama.attention.layer_norm_rms_epsilon": Math.fround(1e-5),
      });
    });

    it("carries every tokenizer.ggml.* entry of the source, value for value", async () => {
      const metadata = flattenMetadata((await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false })).metadata as never);
      const tokenizer = (entries: Map<string, unknown>) => Object.fromEntries([...entries].filter(([key]) => key.startsWith("tokenizer.ggml.")));
      expect(tokenizer(metadata)).toEqual(tokenizer(source));
      expect(metadata.get("tokenizer.ggml.tokens")).toEqual(source.get("tokenizer.ggml.tokens"));
      expect(metadata.get("tokenizer.ggml.bos_token_id")).toBe(source.get("tokenizer.ggml.bos_token_id"));
      expect(metadata.get("tokenizer.ggml.eos_token_id")).toBe(source.get("tokenizer.ggml.eos_token_id"));
    });

    it("loads in node-llama-cpp, tokenizes like the source and generates tokens", async () => {
      const model = await llama.loadModel({ modelPath: path });
      try {
        expect(model.trainContextSize).toBe(2048);
        expect(model.tokenize(sampleText)).toEqual(sourceModel.tokenize(sampleText));
        expect(model.tokens.bos).toBe(sourceModel.tokens.bos);
        expect(model.tokens.eos).toBe(sourceModel.tokens.eos);
        const steps = await generate(model, "Once upon a time", 4);
        expect(steps).toHaveLength(4);
        for (const { token, confidence } of steps) {
          expect(Number.isInteger(token) && token >= 0 && token < 512).toBe(true);
          // Finite, non-zero probabilities: the weights produce real logits, not NaN.
          expect(confidence).toBeGreaterThan(0);
          expect(confidence).toBeLessThanOrEqual(1);
        }
      } finally {
        await model.dispose();
      }
    });
  });

  it("writes byte-identical files for the same seed and different weights for another", async () => {
    const first = await readFile((await write("seed7-a.gguf")).path);
    const again = await readFile((await write("seed7-b.gguf")).path);
    const other = await readFile((await write("seed8.gguf", { seed: 8 })).path);
    expect(first.equals(again)).toBe(true);
    expect(other.length).toBe(first.length);
    // The last KiB lies inside the last weight matrix (blk.1.ffn_down, 16 KiB in F16).
    const tail = first.length - 1024;
    expect(other.subarray(tail).equals(first.subarray(tail))).toBe(false);
  });

  it("pads the vocabulary with placeholders that loads, tokenizes text as before and generates", async () => {
    const { path, vocabularySize } = await write("padded.gguf", { weightType: "q8_0", vocabularySize: 2048 });
    expect(vocabularySize).toBe(2048);
    const info = await readGgufFileInfo(path, { logWarnings: false });
    const metadata = flattenMetadata(info.metadata as never);
    const tokens = metadata.get("tokenizer.ggml.tokens") as string[];
    expect(tokens.slice(0, 512)).toEqual(source.get("tokenizer.ggml.tokens"));
    expect(tokens.slice(512, 514)).toEqual(["<synthetic-pad-0>", "<synthetic-pad-1>"]);
    expect(metadata.get("llama.vocab_size")).toBe(2048);
    expect(info.tensorInfo?.find((tensor) => tensor.name === "output.weight")?.dimensions).toEqual([64, 2048]);
    const model = await llama.loadModel({ modelPath: path });
    try {
      expect(model.tokenize(sampleText)).toEqual(sourceModel.tokenize(sampleText));
      const steps = await generate(model, "Once upon a time", 4);
      expect(steps).toHaveLength(4);
      for (const { token } of steps) expect(token).toBeLessThan(2048);
    } finally {
      await model.dispose();
    }
  });
});
