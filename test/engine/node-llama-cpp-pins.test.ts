/**
 * Pins the node-llama-cpp 3.22.1 behaviour the engine's performance relies
 * on, on the real tiny model, so an upgrade that changes it fails here, loudly:
 * - `LlamaContextSequence._copyStateFromOtherSequence` (internal) exists and
 *   copies a prefix's KV cells: the copy continues exactly like an evaluation;
 * - `llama.maxThreads` (public setter) sets the thread count of the next batch
 *   of an existing context (how prefill and decode get separate counts).
 * If one of these fails after an upgrade: the engine still works (it falls
 * back to evaluating the prefix, or to one count), but re-read
 * docs/engine-notes.md and fix copy-sequence-prefix.ts / thread-phases.ts.
 */
import { getLlama, LlamaContextSequence, type Llama, type LlamaContext, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canCopySequences, copySequencePrefix } from "../../src/engine/copy-sequence-prefix.js";
import { nodeLlamaCppVersion } from "../../src/engine/model-fingerprint.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

/** Greedy continuation of what the sequence holds plus `next`. */
async function continueGreedy(sequence: LlamaContextSequence, next: Token[], count: number): Promise<Token[]> {
  const out: Token[] = [];
  for await (const token of sequence.evaluate(next, { temperature: 0, topK: 0, topP: 1, minP: 0 })) {
    out.push(token);
    if (out.length >= count) break;
  }
  return out;
}

describe.skipIf(!testModelExists)(modelSuiteTitle("node-llama-cpp behaviour the engine pins"), () => {
  let llama: Llama;
  let model: LlamaModel;
  let context: LlamaContext;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", maxThreads: 2 });
    model = await llama.loadModel({ modelPath: testModelPath });
    // Ideal threads 2, so the thread test can switch between 1 and 2; one thread otherwise (fast on 2 cores).
    context = await model.createContext({ contextSize: 256, sequences: 3, threads: 2 });
    llama.maxThreads = 1;
  });

  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
    await llama?.dispose();
  });

  it("is the version these pins were written for (re-verify them when this changes)", () => {
    expect(nodeLlamaCppVersion(), "node-llama-cpp changed: re-check copy-sequence-prefix.ts and thread-phases.ts, then update this pin").toBe("3.22.1");
  });

  it("has the internal sequence copy", () => {
    expect(
      typeof (LlamaContextSequence.prototype as unknown as Record<string, unknown>)._copyStateFromOtherSequence,
      "LlamaContextSequence._copyStateFromOtherSequence is gone: prefixes are evaluated per sequence again",
    ).toBe("function");
    expect(canCopySequences()).toBe(true);
  });

  it("copies a prefix so that the copy continues exactly like an evaluated one", async () => {
    const [source, target, reference] = [context.getSequence(), context.getSequence(), context.getSequence()];
    try {
      const prefix = model.tokenize("Once upon a time, there was a little girl named Lily. She liked to") as Token[];
      const query = model.tokenize(" play in the park with her", false) as Token[];
      // The source holds more than the prefix (its own query and answer): only the prefix is copied.
      await source.evaluateWithoutGeneratingNewTokens([...prefix, ...(model.tokenize(" sing songs", false) as Token[])]);
      // The target holds something else first: it must not survive the copy.
      await target.evaluateWithoutGeneratingNewTokens(model.tokenize("The dog ran") as Token[]);
      expect(await copySequencePrefix(target, source, prefix)).toBe(true);
      expect(target.nextTokenIndex).toBe(prefix.length);
      expect(target.contextTokens).toEqual(prefix);
      // The source is untouched.
      expect(source.nextTokenIndex).toBeGreaterThan(prefix.length);

      await reference.evaluateWithoutGeneratingNewTokens(prefix);
      const copied = await continueGreedy(target, query, 12);
      const evaluated = await continueGreedy(reference, query, 12);
      expect(copied).toEqual(evaluated);
      expect(copied.length).toBe(12);
    } finally {
      for (const sequence of [source, target, reference]) sequence.dispose();
    }
  });

  it("refuses a copy from a sequence that does not hold the prefix, leaving the target as it was", async () => {
    const [source, target] = [context.getSequence(), context.getSequence()];
    try {
      await source.evaluateWithoutGeneratingNewTokens(model.tokenize("The cat sat") as Token[]);
      await target.evaluateWithoutGeneratingNewTokens(model.tokenize("The dog") as Token[]);
      expect(await copySequencePrefix(target, source, model.tokenize("Once upon a time"))).toBe(false);
      expect(await copySequencePrefix(target, target, model.tokenize("The dog"))).toBe(false);
      expect(target.contextTokens).toEqual(model.tokenize("The dog"));
    } finally {
      source.dispose();
      target.dispose();
    }
  });

  it("applies llama.maxThreads to the next batch of an existing context", async () => {
    const sequence = context.getSequence();
    try {
      llama.maxThreads = 1;
      await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize("One") as Token[]);
      expect(context.currentThreads).toBe(1);
      llama.maxThreads = 2;
      await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize(" two", false) as Token[]);
      expect(context.currentThreads).toBe(2);
      llama.maxThreads = 1;
      await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize(" three", false) as Token[]);
      expect(context.currentThreads).toBe(1);
    } finally {
      llama.maxThreads = 1;
      sequence.dispose();
    }
  });
});
