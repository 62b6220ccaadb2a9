/**
 * @module config/ab-config
 * `urial ab`, `urial ab evolve` and `urial ab calibrate` settings. Parsing
 * is pure (argv and env passed in); every problem names the flag, its
 * variable and the rule. Model, exemplar, thread, GPU and context flags read
 * the same `URIAL_*` variables as `urial serve`; the judge has its own
 * (`URIAL_JUDGE`, `URIAL_JUDGE_MODEL`, `URIAL_JUDGE_API_KEY`). A flag wins
 * over its variable.
 */
import { join } from "node:path";
import { z } from "zod";
import { configFileHelp } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, parseOptions, type OptionSpec } from "./read-options.js";
import {
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
  batchThreadsOption,
} from "./shared-options.js";

type AbOptionSpec = OptionSpec;

const judgeSpec = "URL|local";
const judgeDescription = "an OpenAI-compatible base URL (http://host:port/v1: a hosted model, llama-server, vLLM, another urial) or 'local' (a chat GGUF in this process, --judge-model PATH)";

const shared = {
  threads: { ...threadsOption, description: `${threadsOption.description} (answers and a local judge)` },
  batchThreads: { ...batchThreadsOption, description: `${batchThreadsOption.description} (answers and a local judge)` },
  judgeThreads: { ...threadsOption, description: `${threadsOption.description} (a local judge)` },
  judgeBatchThreads: { ...batchThreadsOption, description: `${batchThreadsOption.description} (a local judge)` },
  gpu: gpuOption,
  judgeRetries: { flag: "judge-retries", value: "N", description: "asks again after an unreadable judge reply, this many times; then it is counted as a failure", default: "2", defaultValue: "2" },
  judgeTimeout: { flag: "judge-timeout", value: "SECONDS", description: "longest wait for one judge reply", default: "120", defaultValue: "120" },
  judgeContextSize: { flag: "judge-context-size", value: "N", description: "tokens of a local judge's context", default: "the model's training context, at most 4096" },
  judgeMaxTokens: { flag: "judge-max-tokens", value: "N", description: "longest judge reply (part of the judgement cache key)", default: "512 for a pairwise verdict, 1024 for aspect scores" },
  modelsDir: modelsDirOption,
} as const satisfies Record<string, AbOptionSpec>;

/** The flags of `urial ab`, in help order. */
export const abOptions = {
  suite: {
    flag: "suite",
    value: "FILE",
    description: 'prompts: JSONL ({"id", "category", "query" | "messages"} per line) or plain text',
    default: "<package>/ab-suites/default.jsonl (60 prompts, 10 categories)",
    defaultValue: join(shippedFolders.abSuites, "default.jsonl"),
  },
  variants: { flag: "variants", value: "IDS", description: "model ids to compare, comma-separated; the first is the baseline (e.g. urial/urial-help,urial/urial-safe)", required: true },
  judge: { flag: "judge", env: "URIAL_JUDGE", value: judgeSpec, description: `the judge: ${judgeDescription}`, required: true },
  judgeModel: {
    flag: "judge-model",
    env: "URIAL_JUDGE_MODEL",
    value: "NAME|PATH",
    description: "the judge's model name (URL judge; default: the endpoint's first model) or chat GGUF (local judge: a path, cached name, hf: URI or URL)",
  },
  judgeApiKey: { flag: "judge-api-key", env: "URIAL_JUDGE_API_KEY", value: "KEY", description: "sent to a URL judge as a Bearer token", secret: true },
  out: { flag: "out", value: "DIR", description: "folder for results.json, report.md, report.html and the cache that makes reruns resume", required: true },
  model: { flag: "model", env: "URIAL_MODEL", value: "MODEL", description: "the base GGUF that answers (a path, cached name, hf: URI or URL)", required: true },
  modelsDir: shared.modelsDir,
  samples: { flag: "samples", value: "N", description: "answers per prompt and variant (seeds SEED, SEED+1, …; needs --temperature > 0 above 1)", default: "1", defaultValue: "1" },
  seed: { flag: "seed", value: "N", description: "first sampling seed, shared by the variants", default: "1", defaultValue: "1" },
  temperature: { flag: "temperature", value: "T", description: "sampling temperature of the answers; 0 is greedy", default: "0", defaultValue: "0" },
  maxTokens: { flag: "max-tokens", value: "N", description: "longest answer", default: "512", defaultValue: "512" },
  limit: { flag: "limit", value: "N", description: "use only the first N prompts of the suite", default: "all" },
  informative: {
    flag: "informative",
    value: "K",
    description: "rank prompts by how much the variants' judged scores differ (beyond sample noise) and write the K most informative to DIR/informative.jsonl",
  },
  bootstrap: { flag: "bootstrap", value: "N", description: "bootstrap resamples per interval", default: "2000", defaultValue: "2000" },
  maxFailures: {
    flag: "max-failures",
    value: "SHARE",
    description: "exit 3 when more than this share of the answers, or of the judgements, failed (0–1)",
    default: "0.05",
    defaultValue: "0.05",
  },
  failBelow: {
    flag: "fail-below",
    value: "RATE",
    description:
      "exit 4 unless every candidate's win rate is above RATE with 95 % confidence (the lower bound of its interval is at least RATE); e.g. 0.5: ship only a candidate distinguishably better than the baseline",
  },
  judgeParallel: { flag: "judge-parallel", value: "N", description: "judge requests in flight at once", default: "4 (URL judge), 1 (local)" },
  judgeRetries: shared.judgeRetries,
  judgeTimeout: shared.judgeTimeout,
  judgeContextSize: shared.judgeContextSize,
  judgeMaxTokens: shared.judgeMaxTokens,
  exemplars: exemplarsOption,
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
  threads: shared.threads,
  batchThreads: shared.batchThreads,
  gpu: shared.gpu,
  contextSize: { ...contextSizeOption, description: "tokens per sequence of the answering model" },
} as const satisfies Record<string, AbOptionSpec>;

/** The flags of `urial ab evolve`. */
export const abEvolveOptions = {
  from: { flag: "from", value: "DIR", description: "a finished 'urial ab --out DIR' (its results.json ranks the prompts)", required: true },
  out: { flag: "out", value: "FILE", description: "the new suite (JSONL): every prompt of the run plus the harder variants", required: true },
  top: { flag: "top", value: "K", description: "evolve the K most informative prompts", default: "10", defaultValue: "10" },
  judge: { flag: "judge", env: "URIAL_JUDGE", value: judgeSpec, description: `the model that writes the prompts: ${judgeDescription}`, required: true },
  judgeModel: abOptions.judgeModel,
  judgeApiKey: abOptions.judgeApiKey,
  modelsDir: shared.modelsDir,
  seed: { flag: "seed", value: "N", description: "seed of the requests", default: "1", defaultValue: "1" },
  judgeRetries: shared.judgeRetries,
  judgeTimeout: shared.judgeTimeout,
  judgeContextSize: shared.judgeContextSize,
  threads: shared.judgeThreads,
  batchThreads: shared.judgeBatchThreads,
  gpu: shared.gpu,
} as const satisfies Record<string, AbOptionSpec>;

/** The flags of `urial ab calibrate`. */
export const abCalibrateOptions = {
  from: { flag: "from", value: "DIR", description: "a finished 'urial ab --out DIR': its answer pairs are judged again", required: true },
  weak: { flag: "weak", value: judgeSpec, description: "the cheap judge to check", required: true },
  weakModel: { flag: "weak-model", value: "NAME|PATH", description: "its model (as --judge-model)" },
  strong: { flag: "strong", value: judgeSpec, description: "the judge taken as the reference", required: true },
  strongModel: { flag: "strong-model", value: "NAME|PATH", description: "its model (as --judge-model)" },
  judgeApiKey: { ...abOptions.judgeApiKey, description: "sent to URL judges as a Bearer token" },
  out: { flag: "out", value: "DIR", description: "folder for calibration.json and calibration.md", default: "the --from folder" },
  limit: { flag: "limit", value: "N", description: "use only the first N pairs", default: "all" },
  modelsDir: shared.modelsDir,
  seed: { flag: "seed", value: "N", description: "seed of the judge requests", default: "1", defaultValue: "1" },
  judgeParallel: { flag: "judge-parallel", value: "N", description: "pairs judged at once", default: "1", defaultValue: "1" },
  judgeRetries: shared.judgeRetries,
  judgeTimeout: shared.judgeTimeout,
  judgeContextSize: shared.judgeContextSize,
  judgeMaxTokens: { ...shared.judgeMaxTokens, description: "longest pairwise verdict (use the run's value to reuse its judgements)", default: "512", defaultValue: "512" },
  threads: shared.judgeThreads,
  batchThreads: shared.judgeBatchThreads,
  gpu: shared.gpu,
} as const satisfies Record<string, AbOptionSpec>;

const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const judgeValue = z.string().refine((value) => value === "local" || /^https?:\/\/\S+$/.test(value), { error: "must be an http(s) URL or 'local'" });
const gpu = gpuSchema;
const share = z.coerce.number({ error: "must be a number from 0 to 1" }).min(0, { error: "must be from 0 to 1" }).max(1, { error: "must be from 0 to 1" });
const seconds = z.coerce.number({ error: "must be a number of seconds" }).min(1, { error: "must be at least 1" }).max(3600, { error: "must be at most 3600" });

const abSchema = z.object({
  suite: z.string().min(1),
  variants: z
    .string()
    .transform((text) => [
      ...new Set(
        text
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id.length > 0),
      ),
    ])
    .refine((ids) => ids.length >= 2, { error: "must name at least two different model ids, comma-separated" }),
  judge: judgeValue,
  judgeModel: z.string().min(1).optional(),
  judgeApiKey: z
    .string()
    .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" })
    .optional(),
  out: z.string().min(1),
  model: z.string().min(1),
  modelsDir: z.string().min(1),
  samples: whole(1, 100),
  seed: whole(0, 2 ** 31 - 1),
  temperature: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(2, { error: "must be at most 2" }),
  maxTokens: whole(1, 1_000_000),
  limit: whole(1, 1_000_000).optional(),
  informative: whole(1, 1_000_000).optional(),
  bootstrap: whole(100, 1_000_000),
  maxFailures: share,
  failBelow: share.optional(),
  judgeParallel: whole(1, 64).optional(),
  judgeRetries: whole(0, 10),
  judgeTimeout: seconds,
  judgeContextSize: whole(16, 10_000_000).optional(),
  judgeMaxTokens: whole(16, 1_000_000).optional(),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu,
  contextSize: whole(16, 10_000_000).optional(),
});
export type AbConfig = z.output<typeof abSchema>;

const evolveSchema = z.object({
  from: z.string().min(1),
  out: z.string().min(1),
  top: whole(1, 100_000),
  judge: judgeValue,
  judgeModel: z.string().min(1).optional(),
  judgeApiKey: abSchema.shape.judgeApiKey,
  modelsDir: z.string().min(1),
  seed: whole(0, 2 ** 31 - 1),
  judgeRetries: whole(0, 10),
  judgeTimeout: seconds,
  judgeContextSize: whole(16, 10_000_000).optional(),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu,
});
export type AbEvolveConfig = z.output<typeof evolveSchema>;

const calibrateSchema = z.object({
  from: z.string().min(1),
  weak: judgeValue,
  weakModel: z.string().min(1).optional(),
  strong: judgeValue,
  strongModel: z.string().min(1).optional(),
  judgeApiKey: abSchema.shape.judgeApiKey,
  out: z.string().min(1).optional(),
  limit: whole(1, 1_000_000).optional(),
  modelsDir: z.string().min(1),
  seed: whole(0, 2 ** 31 - 1),
  judgeParallel: whole(1, 64),
  judgeRetries: whole(0, 10),
  judgeTimeout: seconds,
  judgeContextSize: whole(16, 10_000_000).optional(),
  judgeMaxTokens: whole(16, 1_000_000),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu,
});
export type AbCalibrateConfig = z.output<typeof calibrateSchema>;

export type AbParseResult<Config> = { ok: true; help: false; config: Config; raw?: Record<string, string | undefined> } | { ok: true; help: true } | { ok: false; message: string };

/** Checks one `urial ab` option's value as the config would: what a `--config` file's values go through first. */
export function checkAbOption(name: string, value: string): string | undefined {
  return checkOptionValue(abSchema, name, value);
}

/** Parses `urial ab` arguments and environment. */
export function parseAbConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): AbParseResult<AbConfig> {
  const result = parseWith("ab", abOptions, abSchema, argv, env);
  if (result.ok && !result.help) {
    const { config } = result;
    if (config.samples > 1 && config.temperature === 0) return { ok: false, message: `--samples ${config.samples} needs --temperature above 0 (greedy answers would all be the same).` };
    if (config.judge === "local" && config.judgeModel === undefined) return { ok: false, message: "--judge local needs --judge-model PATH (or URIAL_JUDGE_MODEL): a chat GGUF." };
  }
  return result;
}

/** Parses `urial ab evolve` arguments and environment. */
export function parseAbEvolveConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): AbParseResult<AbEvolveConfig> {
  const result = parseWith("ab evolve", abEvolveOptions, evolveSchema, argv, env);
  if (result.ok && !result.help && result.config.judge === "local" && result.config.judgeModel === undefined)
    return { ok: false, message: "--judge local needs --judge-model PATH (or URIAL_JUDGE_MODEL): a chat GGUF." };
  return result;
}

/** Parses `urial ab calibrate` arguments and environment. */
export function parseAbCalibrateConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): AbParseResult<AbCalibrateConfig> {
  const result = parseWith("ab calibrate", abCalibrateOptions, calibrateSchema, argv, env);
  if (result.ok && !result.help) {
    for (const side of ["weak", "strong"] as const) {
      if (result.config[side] === "local" && result.config[`${side}Model`] === undefined) return { ok: false, message: `--${side} local needs --${side}-model PATH: a chat GGUF.` };
    }
  }
  return result;
}

function parseWith<Schema extends z.ZodType>(
  command: string,
  options: Record<string, AbOptionSpec>,
  schema: Schema,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AbParseResult<z.output<Schema>> {
  const result = parseOptions(command, options, schema, argv, env);
  if (!result.ok || result.help) return result;
  return { ok: true, help: false, config: result.config, raw: result.raw };
}

/** The help text of `urial ab`, `urial ab evolve` or `urial ab calibrate`. */
export function abHelp(which: "ab" | "evolve" | "calibrate" = "ab"): string {
  const intro = {
    ab: [
      "Usage: urial ab --variants urial/A,urial/B --judge URL|local --out DIR --model BASE.gguf [--suite FILE] [options]",
      "       urial ab evolve --from DIR --judge URL|local --out SUITE.jsonl [--top K]",
      "       urial ab calibrate --from DIR --weak URL|local --strong URL|local",
      "",
      "Offline A/B test of exemplar sets: each variant answers every prompt of the suite through the",
      "server's pipeline (fixed seeds); a judge model scores every answer on six aspects (1–5) and",
      "compares each candidate with the baseline (the first variant) in both orders. Writes",
      "DIR/results.json, DIR/report.md and DIR/report.html with a verdict per candidate, win/tie/loss",
      "shares (Wilson intervals), the win rate and length-controlled win rate (paired bootstrap), aspect",
      "means, and judge-free style metrics (opener, list, closing, clean ending, refusal, median length).",
      "Answers and judgements are cached in DIR/cache: a rerun only does new work.",
      "",
      "Exit codes: 0 done (and every gate passed); 1 bad input, model or judge; 2 bad flag;",
      "3 more than --max-failures of the answers or judgements failed; 4 a candidate missed --fail-below.",
    ],
    evolve: [
      "Usage: urial ab evolve --from DIR --judge URL|local --out SUITE.jsonl [--top K]",
      "",
      "Writes a new suite: the run's prompts plus a harder version of each of the K most informative ones.",
    ],
    calibrate: [
      "Usage: urial ab calibrate --from DIR --weak URL|local --strong URL|local [options]",
      "",
      "Judges the run's answer pairs with a weak and a strong judge and reports their agreement,",
      "Cohen's κ and how much of the strong judge's margin the weak one recovers.",
    ],
  }[which];
  const options = which === "ab" ? abOptions : which === "evolve" ? abEvolveOptions : abCalibrateOptions;
  // The run file (variants as a list) is `urial ab`'s; evolve and calibrate take flags only.
  const head = which === "ab" ? configFileHelp("ab", "variants: [urial/urial-help, urial/urial-safe]") : ["Options:"];
  return [...intro, "", ...head, ...formatOptionsHelp(options)].join("\n");
}
