/**
 * @module config/shift-config
 * `urial shift` settings. Parsing is pure (argv and env passed in); every
 * problem names the flag and the rule. The model, exemplar, thread, GPU and
 * context flags read the same `URIAL_*` variables as `urial serve`; the flag
 * wins.
 */
import { join } from "node:path";
import { readOptionValues } from "./read-option-values.js";
import { z } from "zod";
import { defaultModelsDir } from "../models/models-dir.js";
import { packageRoot } from "./serve-config.js";
import { publishedPairNames, type PublishedPairName } from "../shift/published-splits.js";

interface ShiftOptionSpec {
  flag: string;
  env?: string;
  value: string;
  description: string;
  default?: string;
}

/** The flags of `urial shift`, in help order. */
export const shiftOptions = {
  base: { flag: "base", env: "URIAL_MODEL", value: "PATH", description: "the base model: a GGUF path, a cached model's name, hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https URL (required)" },
  chat: { flag: "chat", env: "URIAL_CHAT_MODEL", value: "PATH", description: "its chat/instruct twin, same tokenizer, given like --base (required)" },
  modelsDir: { flag: "models-dir", env: "URIAL_MODELS_DIR", value: "DIR", description: "cache of pulled models", default: "$XDG_CACHE_HOME/urial/models, else ~/.cache/urial/models" },
  prompts: { flag: "prompts", value: "FILE", description: "queries: JSONL ({\"query\", \"id\"?, \"answer\"?} per line) or plain text (one per line)", default: "<package>/shift-prompts/default.jsonl" },
  out: { flag: "out", value: "DIR", description: "folder for shift.json and report.html (created if missing; required)" },
  exemplars: { flag: "exemplars", env: "URIAL_EXEMPLARS", value: "NAME", description: "exemplar set of the URIAL context", default: "urial-help" },
  exemplarsDir: { flag: "exemplars-dir", env: "URIAL_EXEMPLARS_DIR", value: "DIR", description: "folder of exemplar set files", default: "<package>/exemplars" },
  systemPromptsDir: { flag: "system-prompts-dir", env: "URIAL_SYSTEM_PROMPTS_DIR", value: "DIR", description: "folder of system prompt files", default: "<package>/system-prompts" },
  chatTemplate: { flag: "chat-template", value: "TEXT|@FILE", description: "chat template for a chat GGUF without one: a Jinja template, or a layout with {query} such as 'User: {query}\\nAssistant:'" },
  limit: { flag: "limit", value: "N", description: "analyse only the first N prompts", default: "all" },
  maxTokens: { flag: "max-tokens", value: "N", description: "longest chat answer to generate", default: "256" },
  topK: { flag: "top-k", value: "N", description: "alternatives kept per position and model (1–100)", default: "10" },
  temperature: { flag: "temperature", value: "T", description: "chat answer sampling temperature; 0 is greedy", default: "0" },
  seed: { flag: "seed", value: "N", description: "seed for sampling when --temperature > 0", default: "random" },
  threads: { flag: "threads", env: "URIAL_THREADS", value: "N", description: "CPU threads", default: "physical core count" },
  gpu: { flag: "gpu", env: "URIAL_GPU", value: "KIND", description: "GPU backend: auto | cuda | vulkan | metal | off", default: "auto" },
  contextSize: { flag: "context-size", env: "URIAL_CONTEXT_SIZE", value: "N", description: "tokens per context (prompt + answer), for each model", default: "the model's training context, at most 4096" },
  published: { flag: "published", value: "PAIR", description: "print this run's split beside the one URIAL's paper published for PAIR: llama-2-7b (77.7 / 14.5 / 7.8 %) or mistral-7b (82.2 / 12.5 / 5.2 %)" },
} as const satisfies Record<string, ShiftOptionSpec>;

type OptionName = keyof typeof shiftOptions;

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

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
  threads: wholeNumber(1, 1024).optional(),
  gpu: z.enum(["auto", "cuda", "vulkan", "metal", "off"], { error: "must be auto, cuda, vulkan, metal or off" }).transform((gpu) => (gpu === "off" ? false : gpu)),
  contextSize: wholeNumber(16, 10_000_000).optional(),
  published: z.enum(publishedPairNames as [PublishedPairName, ...PublishedPairName[]], { error: `must be ${publishedPairNames.join(" or ")}` }).optional(),
});

export type ShiftConfig = z.output<typeof configSchema>;

export type ShiftParseResult = { ok: true; config: ShiftConfig; help: false } | { ok: true; help: true } | { ok: false; message: string };

const defaults: Partial<Record<OptionName, string>> = {
  prompts: join(packageRoot, "shift-prompts", "default.jsonl"),
  exemplars: "urial-help",
  exemplarsDir: join(packageRoot, "exemplars"),
  systemPromptsDir: join(packageRoot, "system-prompts"),
  maxTokens: "256",
  topK: "10",
  temperature: "0",
  gpu: "auto",
};

/** Parses `urial shift` arguments and environment. */
export function parseShiftConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ShiftParseResult {
  const read = readOptionValues("shift", shiftOptions, argv, env, defaults);
  if (!read.ok) return read;
  if (read.help) return { ok: true, help: true };
  const raw = read.raw;
  raw.modelsDir ??= defaultModelsDir(env);
  for (const name of ["base", "chat", "out"] as const) {
    if (raw[name] === undefined) {
      const spec: ShiftOptionSpec = shiftOptions[name];
      return {
        ok: false,
        message: `--${spec.flag} ${spec.value} is required${spec.env ? ` (or set ${spec.env})` : ""}. Usage: urial shift --base BASE.gguf --chat CHAT.gguf --out DIR [--prompts FILE].`,
      };
    }
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]) as OptionName;
    const spec: ShiftOptionSpec = shiftOptions[name];
    return { ok: false, message: `--${spec.flag}${spec.env ? ` (or ${spec.env})` : ""} ${issue.message}; got '${raw[name]}'.` };
  }
  return { ok: true, help: false, config: result.data };
}

/** The help text of `urial shift`. */
export function shiftHelp(): string {
  const lines = [
    "Usage: urial shift --base BASE.gguf --chat CHAT.gguf --out DIR [--prompts FILE] [options]",
    "",
    "Token distribution shift: the chat model answers each query with its own chat template;",
    "the base model then reads that answer (teacher forcing) after the bare query (zero-shot)",
    "and after the URIAL system prompt + exemplars. Each answer token gets the base model's",
    "rank η of the chat token: unshifted (η = 1), marginal (2–3) or shifted (> 3).",
    "Writes DIR/shift.json and DIR/report.html, and prints a summary line.",
    "",
    "Options:",
  ];
  for (const spec of Object.values(shiftOptions) as ShiftOptionSpec[]) {
    lines.push(`  --${spec.flag} ${spec.value}`.padEnd(34) + (spec.env ?? ""));
    lines.push(`      ${spec.description}${spec.default ? ` (default: ${spec.default})` : ""}`);
  }
  lines.push("  -h, --help                      show this help");
  return lines.join("\n");
}
