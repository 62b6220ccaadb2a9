/**
 * @module config/generate-config
 * `urial generate` settings, on the one option layer (`config/read-options`):
 * parsing is pure (argv and env passed in); every problem names the flag, its
 * variable and the rule. The model, exemplar, thread (decode and prefill),
 * GPU and context flags are the shared ones, with the same `URIAL_*`
 * variables as `urial serve`; a `--config` file (read by
 * `cli/apply-config-file`) takes the long option names as keys. A flag wins
 * over its variable, which wins over the file, which wins over the default.
 */
import { z } from "zod";
import { configFileHelp } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, parseOptions, type Env, type OptionTable, type ParsedOptions } from "./read-options.js";
import {
  batchThreadsOption,
  contextSizeOption,
  exemplarsDirOption,
  exemplarsOption,
  gpuOption,
  gpuSchema,
  modelsDirOption,
  systemPromptsDirOption,
  threadsOption,
  threadsSchema,
  wholeNumber,
} from "./shared-options.js";

/** The flags of `urial generate`, in help order. */
export const generateOptions = {
  model: { flag: "model", env: "URIAL_MODEL", value: "MODEL", description: "base GGUF: a path, a cached name, hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https URL", required: true },
  modelsDir: modelsDirOption,
  suite: { flag: "suite", value: "FILE", description: '.jsonl (strings or {"id","query"}) or text, one query per line', required: true },
  out: { flag: "out", value: "FILE", description: "where to write the JSONL", required: true },
  modelId: { flag: "model-id", value: "ID", description: "urial or urial/<set>", default: "urial", defaultValue: "urial" },
  maxTokens: { flag: "max-tokens", value: "N", description: "per answer", default: "512", defaultValue: "512" },
  temperature: { flag: "temperature", value: "T", description: "sampling temperature; 0 is greedy", default: "0", defaultValue: "0" },
  seed: { flag: "seed", value: "N", description: "sampling seed", default: "1", defaultValue: "1" },
  threads: threadsOption,
  batchThreads: batchThreadsOption,
  gpu: gpuOption,
  contextSize: contextSizeOption,
  exemplars: exemplarsOption,
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
} as const satisfies OptionTable;

const configSchema = z.object({
  model: z.string().min(1),
  modelsDir: z.string().min(1),
  suite: z.string().min(1),
  out: z.string().min(1),
  modelId: z.string().min(1),
  maxTokens: wholeNumber(0, 10_000_000),
  temperature: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(10, { error: "must be at most 10" }),
  seed: wholeNumber(0, 2 ** 31 - 1),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  contextSize: wholeNumber(16, 10_000_000).optional(),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
});

export type GenerateConfig = z.output<typeof configSchema>;

/** Checks one option's value as the config would: what a `--config` file's values go through before they are used. */
export function checkGenerateOption(name: string, value: string): string | undefined {
  return checkOptionValue(configSchema, name, value);
}

/** Parses `urial generate` arguments and environment. */
export function parseGenerateConfig(argv: readonly string[], env: Env): ParsedOptions<GenerateConfig> {
  return parseOptions("generate", generateOptions, configSchema, argv, env);
}

/** The help text of `urial generate`. */
export function generateHelp(): string {
  return [
    "Usage: urial generate --model PATH --suite FILE --out FILE.jsonl [--config FILE] [options]",
    "",
    "Answer every query of a suite with an exemplar set and write the pairs as an",
    'SFT dataset (OpenAI fine-tuning chat JSONL: {"messages":[user, assistant]}).',
    "",
    ...configFileHelp("generate", "model-id: urial/urial-8shot"),
    ...formatOptionsHelp(generateOptions),
  ].join("\n");
}
