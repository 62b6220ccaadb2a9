/**
 * @module test/shift/support/shift-test-models
 * The real base/chat pair for the shift tests, and how they are loaded.
 * Suites that need a file are skipped, with the reason in their title and a
 * warning, when it is absent.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const fromRepository = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** `URIAL_TEST_MODEL`, else `../shared/models/stories260K.gguf`. */
export const baseModelPath = process.env.URIAL_TEST_MODEL ? resolve(process.env.URIAL_TEST_MODEL) : fromRepository("../shared/models/stories260K.gguf");
/** `URIAL_TEST_CHAT_MODEL`, else `../shared/models/stories260K-chat.gguf`. */
export const chatModelPath = process.env.URIAL_TEST_CHAT_MODEL ? resolve(process.env.URIAL_TEST_CHAT_MODEL) : fromRepository("../shared/models/stories260K-chat.gguf");

export const baseModelExists = existsSync(baseModelPath);
export const pairExists = baseModelExists && existsSync(chatModelPath);

/** The fixture exemplar set `tiny` fits the 512-token window of the test models. */
export const fixtureCatalog = {
  exemplarsDir: fromRepository("test/fixtures/exemplars"),
  systemPromptsDir: fromRepository("test/fixtures/system-prompts"),
  defaultSet: "tiny",
};

/**
 * Settings every real-model test uses: one thread (more is ~1000× slower on
 * 2 cores), no GPU, and the 512 tokens the models were trained on.
 */
export const scoringSettings = { threads: 1, batchThreads: 1, gpu: false, contextSize: 512 } as const;

/** A suite title that says why it did not run (base model only). */
export function baseSuiteTitle(title: string): string {
  if (baseModelExists) return title;
  console.warn(`[skipped] ${title}: no base test model at ${baseModelPath} (set URIAL_TEST_MODEL to a GGUF file)`);
  return `${title} — SKIPPED: no base test model at ${baseModelPath} (set URIAL_TEST_MODEL)`;
}

/** A suite title that says why it did not run (base and chat models). */
export function pairSuiteTitle(title: string): string {
  if (pairExists) return title;
  const missing = baseModelExists ? `no chat test model at ${chatModelPath} (set URIAL_TEST_CHAT_MODEL)` : `no base test model at ${baseModelPath} (set URIAL_TEST_MODEL)`;
  console.warn(`[skipped] ${title}: ${missing}`);
  return `${title} — SKIPPED: ${missing}`;
}
