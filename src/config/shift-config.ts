/**
 * @module config/shift-config
 * `urial shift` settings. Parsing is pure (argv and env passed in); every
 * problem names the flag and the rule. The model, exemplar, thread (decode
 * and prefill: teacher forcing counts as prefill), GPU and context flags read
 * the same `URIAL_*` variables as `urial serve`; a `--config` file (read by
 * `cli/apply-config-file`) takes the long option names as keys. A flag wins
 * over its variable, which wins over the file, which wins over the default.
 */
import { join } from "node:path";
import { z } from "zod";
import { configFileHelp } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, readOptionValues, validateOptions, type OptionSpec } from "./read-options.js";
import {
  batchThreadsOption,
  contextSizeOption,
  exemplarsDirOption,
  exemplarsOption,
  gpuOption,
  gpuSchema,
  modelsDirOption,
  shippedFolders,
  systemPromptsDirOption,
  threadsOption,
  threadsSchema,
  wholeNumber,
} from "./shared-options.js";
import { publishedPairNames, type PublishedPairName } from "../shift/published-splits.js";

/** The flags of `urial shift`, in help order. */
export const shiftOptions = {
  base: {
    flag: "base",
    env: "URIAL_MODEL",
    value: "MODEL",
    description: "the base model: a GGUF path, a cached model's name, hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https URL (required)",
  },
  chat: { flag: "chat", env: "URIAL_CHAT_MODEL", value: "MODEL", description: "its chat/instruct twin, same tokenizer, given like --base (required)" },
  modelsDir: modelsDirOption,
  prompts: {
    flag: "prompts",
    value: "FILE",
    description: 'queries: JSONL ({"query", "id"?, "answer"?} per line) or plain text (one per line)',
    default: "<package>/shift-prompts/default.jsonl",
    defaultValue: join(shippedFolders.shiftPrompts, "default.jsonl"),
  },
  out: { flag: "out", value: "DIR", description: "folder for shift.json and report.html (created if missing; required)" },
  exemplars: { ...exemplarsOption, description: "exemplar set of the URIAL context" },
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
  chatTemplate: {
    flag: "chat-template",
    value: "TEXT|@FILE",
    description: "chat template for a chat GGUF without one: a Jinja template, or a layout with {query} such as 'User: {query}\\nAssistant:'",
  },
  limit: { flag: "limit", value: "N", description: "analyse only the first N prompts", default: "all" },
  maxTokens: { flag: "max-tokens", value: "N", description: "longest chat answer to generate", default: "256", defaultValue: "256" },
  topK: { flag: "top-k", value: "N", description: "alternatives kept per position and model (1–100)", default: "10", defaultValue: "10" },
  temperature: { flag: "temperature", value: "T", description: "chat answer sampling temperature; 0 is greedy", default: "0", defaultValue: "0" },
  seed: { flag: "seed", value: "N", description: "seed for sampling when --temperature > 0", default: "random" },
  threads: threadsOption,
  batchThreads: { ...batchThreadsOption, description: `${batchThreadsOption.description}; teacher forcing (the base model reading each answer) counts as prefill` },
  gpu: gpuOption,
  contextSize: { ...contextSizeOption, description: "tokens per context (prompt + answer), for each model" },
  published: {
    flag: "published",
    value: "PAIR",
    description: "print this run's split beside the one URIAL's paper published for PAIR: llama-2-7b (77.7 / 14.5 / 7.8 %) or mistral-7b (82.2 / 12.5 / 5.2 %)",
  },
} as const satisfies Record<string, OptionSpec>;

const configSchema = z.object({
  base: z.string().min(1, { error: "is required" }),
  chat: z.string().min(1, { error: "is required" }),
  modelsDir: z.string().min(1),
  prompts: z.string().min(1),
  out: z.string().min(1, { error: "is required" }),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
  chatTemplate: z.string().min(1, { error: "must not be empty" }).optional(),
  limit: wholeNumber(1, 1_000_000).optional(),
  maxTokens: wholeNumber(1, 1_000_000),
  topK: wholeNumber(1, 100),
  temperature: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(10, { error: "must be at most 10" }),
  seed: wholeNumber(0, 2 ** 31 - 1).optional(),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  contextSize: wholeNumber(16, 10_000_000).optional(),
  published: z.enum(publishedPairNames as [PublishedPairName, ...PublishedPairName[]], { error: `must be ${publishedPairNames.join(" or ")}` }).optional(),
});

export type ShiftConfig = z.output<typeof configSchema>;

/** `raw` holds the values as read (for --print-config). */
export type ShiftParseResult = { ok: true; config: ShiftConfig; help: false; raw: Record<string, string | undefined> } | { ok: true; help: true } | { ok: false; message: string };

/** Checks one option's value as the config would: what a `--config` file's values go through before they are used. */
export function checkShiftOption(name: string, value: string): string | undefined {
  return checkOptionValue(configSchema, name, value);
}

/** Parses `urial shift` arguments and environment. */
export function parseShiftConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ShiftParseResult {
  const read = readOptionValues("shift", shiftOptions, argv, env);
  if (!read.ok || read.help) return read;
  for (const name of ["base", "chat", "out"] as const) {
    if (read.raw[name] === undefined) {
      const spec: OptionSpec = shiftOptions[name];
      return {
        ok: false,
        message: `--${spec.flag} ${spec.value} is required${spec.env ? ` (or set ${spec.env})` : ""}. Usage: urial shift --base BASE.gguf --chat CHAT.gguf --out DIR [--prompts FILE].`,
      };
    }
  }
  const result = validateOptions("shift", shiftOptions, configSchema, read.raw);
  if (!result.ok || result.help) return result;
  return { ok: true, help: false, config: result.config, raw: read.raw };
}

/** The help text of `urial shift`. */
export function shiftHelp(): string {
  const lines = [
    "Usage: urial shift --base BASE.gguf --chat CHAT.gguf --out DIR [--prompts FILE] [--config FILE] [options]",
    "",
    "Token distribution shift: the chat model answers each query with its own chat template;",
    "the base model then reads that answer (teacher forcing) after the bare query (zero-shot)",
    "and after the URIAL system prompt + exemplars. Each answer token gets the base model's",
    "rank η of the chat token: unshifted (η = 1), marginal (2–3) or shifted (> 3).",
    "Writes DIR/shift.json and DIR/report.html, and prints a summary line.",
    "",
    ...configFileHelp("shift", "top-k: 20"),
  ];
  lines.push(...formatOptionsHelp(shiftOptions));
  return lines.join("\n");
}
