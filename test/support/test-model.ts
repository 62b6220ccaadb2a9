/**
 * @module test/support/test-model
 * Where the real test model is, and how real-engine tests start it. Suites
 * that need it are skipped, with the reason in their name and a warning, when
 * the file is absent.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SamplingOptions } from "../../src/engine/engine.js";

/** `URIAL_TEST_MODEL`, else `../shared/models/stories260K.gguf` next to the repository. */
export const testModelPath = process.env.URIAL_TEST_MODEL ? resolve(process.env.URIAL_TEST_MODEL) : fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));

export const testModelExists = existsSync(testModelPath);

/** A suite title that says why it did not run. */
export function modelSuiteTitle(title: string): string {
  if (testModelExists) return title;
  console.warn(`[skipped] ${title}: no test model at ${testModelPath} (set URIAL_TEST_MODEL to a GGUF file)`);
  return `${title} — SKIPPED: no test model at ${testModelPath} (set URIAL_TEST_MODEL)`;
}

/**
 * Engine settings every real-engine test uses: one thread for decode and
 * prefill (node-llama-cpp's CPU default is ~1000× slower on 2 cores, and two
 * threads on a tiny model only spin against each other), no GPU, and 512
 * tokens of context. Tests of the thread rules set their own counts.
 */
export const testEngineSettings = { threads: 1, batchThreads: 1, gpu: false, contextSize: 512 } as const;

/** Greedy decoding with every other sampler off. */
export const greedy: SamplingOptions = {
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  repeatPenalty: 1,
  frequencyPenalty: 0,
  presencePenalty: 0,
  penaltyLastTokens: 64,
};

/** The greedy continuation of "Once upon a time" given in shared/models/README.md. */
export const onceUponATimePrefix = ", there was a little girl named Lily";
