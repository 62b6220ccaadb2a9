/**
 * @module config/shared-options
 * The options several commands share, written once: the models, the
 * exemplar and system-prompt folders, threads, GPU and context size. Each
 * reads the same `URIAL_*` variable with the same values everywhere, and
 * its default is computed from the environment passed in (never from
 * `process.env` at module load). `--threads` defaults to `auto` for every
 * command that loads a model.
 */
import { join } from "node:path";
import { z } from "zod";
import { defaultModelsDir } from "../models/models-dir.js";
import { packageRoot } from "../platform/package-root.js";
import type { OptionSpec } from "./read-options.js";

/** The shipped folders, the one place their defaults are written. */
export const shippedFolders = {
  exemplars: join(packageRoot, "exemplars"),
  systemPrompts: join(packageRoot, "system-prompts"),
  abSuites: join(packageRoot, "ab-suites"),
  shiftPrompts: join(packageRoot, "shift-prompts"),
} as const;

/** The exemplar set served as model `urial` when none is named. */
export const defaultExemplarSet = "urial-help";

export const modelsDirOption = {
  flag: "models-dir",
  env: "URIAL_MODELS_DIR",
  value: "DIR",
  description: "cache of pulled models",
  default: "$XDG_CACHE_HOME/urial/models, else ~/.cache/urial/models",
  defaultValue: (env) => defaultModelsDir(env),
} as const satisfies OptionSpec;

export const exemplarsOption = {
  flag: "exemplars",
  env: "URIAL_EXEMPLARS",
  value: "NAME",
  description: "exemplar set served as model 'urial'",
  default: defaultExemplarSet,
  defaultValue: defaultExemplarSet,
} as const satisfies OptionSpec;
export const exemplarsDirOption = {
  flag: "exemplars-dir",
  env: "URIAL_EXEMPLARS_DIR",
  value: "DIR",
  description: "folder of exemplar set files",
  default: "<package>/exemplars",
  defaultValue: shippedFolders.exemplars,
} as const satisfies OptionSpec;
export const systemPromptsDirOption = {
  flag: "system-prompts-dir",
  env: "URIAL_SYSTEM_PROMPTS_DIR",
  value: "DIR",
  description: "folder of system prompt files",
  default: "<package>/system-prompts",
  defaultValue: shippedFolders.systemPrompts,
} as const satisfies OptionSpec;

export const threadsOption = {
  flag: "threads",
  env: "URIAL_THREADS",
  value: "N|auto",
  description: "decode threads; auto measures a few counts up to the physical cores at start-up (3 s budget; not with every layer on a GPU) and uses the fastest",
  default: "auto",
  defaultValue: "auto",
} as const satisfies OptionSpec;
export const batchThreadsOption = {
  flag: "batch-threads",
  env: "URIAL_BATCH_THREADS",
  value: "N|auto",
  description: "prefill (prompt) threads; auto uses every physical core",
  default: "auto",
  defaultValue: "auto",
} as const satisfies OptionSpec;
export const gpuOption = {
  flag: "gpu",
  env: "URIAL_GPU",
  value: "KIND",
  description: "GPU backend: auto | cuda | vulkan | metal | off",
  default: "auto",
  defaultValue: "auto",
} as const satisfies OptionSpec;
export const contextSizeOption = {
  flag: "context-size",
  env: "URIAL_CONTEXT_SIZE",
  value: "N",
  description: "tokens per sequence (prompt + answer)",
  default: "the model's training context, at most 4096",
} as const satisfies OptionSpec;

/** A whole number in [min, max]. */
export const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** `auto` or a thread count: the same values for every command and for URIAL_THREADS. */
export const threadsSchema = z.union([z.literal("auto"), wholeNumber(1, 1024)], { error: "must be auto or a whole number from 1 to 1024" });
export const gpuSchema = z.enum(["auto", "cuda", "vulkan", "metal", "off"], { error: "must be auto, cuda, vulkan, metal or off" }).transform((gpu) => (gpu === "off" ? false : gpu));
