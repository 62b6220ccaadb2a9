/**
 * @module config/exemplar-search-config
 * `urial exemplars search` settings. Parsing is pure (argv and env passed
 * in); every problem names the flag and the rule. The model, thread, GPU and
 * context flags read the same `URIAL_*` variables as `urial shift`; the flag
 * wins.
 */
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { defaultModelsDir } from "../models/models-dir.js";
import { readOptionValues } from "./read-option-values.js";
import { packageRoot } from "./serve-config.js";

interface SearchOptionSpec {
  flag: string;
  env?: string;
  value: string;
  description: string;
  default?: string;
}

/** The flags of `urial exemplars search`, in help order. */
export const exemplarSearchOptions = {
  base: { flag: "base", env: "URIAL_MODEL", value: "PATH", description: "the base model: a GGUF path, a cached model's name, an hf: URI or an https URL (required)" },
  chat: { flag: "chat", env: "URIAL_CHAT_MODEL", value: "PATH", description: "its chat/instruct twin, same tokenizer, given like --base (required)" },
  pool: { flag: "pool", value: "FILE", description: "candidate exemplars: JSONL (one {\"query\", \"answer\", \"id\"?, \"thoughts\"?} per line) or an exemplar-set file" },
  poolFromChat: { flag: "pool-from-chat", value: "QUERIES", description: "add the chat model's own answers to these queries (JSONL or one per line) to the pool" },
  queries: { flag: "queries", value: "FILE", description: "held-out queries the objective is measured on: JSONL ({\"query\", \"id\"?, \"answer\"?}) or one per line (required)" },
  k: { flag: "k", value: "N", description: "exemplars to choose (also -k N)", default: "3" },
  out: { flag: "out", value: "SET.json", description: "the exemplar-set file to write; its name (without .json) is the set's name (required)" },
  reportDir: { flag: "report-dir", value: "DIR", description: "folder for search.json, report.html and the resumable cache", default: "<SET>-search/ beside SET.json" },
  cache: { flag: "cache", value: "on|off", description: "reuse and extend DIR/cache.jsonl, so a stopped or repeated search resumes", default: "on" },
  objective: { flag: "objective", value: "NAME", description: "what to minimise: shifted (share of chat tokens the base ranks > 3) or kl (mean KL(chat ‖ base))", default: "shifted" },
  maxPrefixTokens: { flag: "max-prefix-tokens", value: "N", description: "most tokens of system prompt + exemplars", default: "the context less the longest held-out query and answer" },
  informative: { flag: "informative", value: "N", description: "search on the N held-out queries where one-exemplar sets disagree most", default: "all queries" },
  maxEvaluations: { flag: "max-evaluations", value: "N", description: "most candidate sets to score (greedy samples candidates per step when it would need more)", default: "no bound" },
  swapPasses: { flag: "swap-passes", value: "N", description: "swap passes after greedy selection (0: none)", default: "1" },
  randomSets: { flag: "random-sets", value: "N", description: "random K-subsets scored for comparison in the report", default: "1" },
  seed: { flag: "seed", value: "N", description: "seed for sampling under a budget, the random sets and chat sampling", default: "0" },
  name: { flag: "name", value: "NAME", description: "the set's name in the file (must equal the file name)", default: "SET from SET.json" },
  systemPrompt: { flag: "system-prompt", value: "NAME", description: "system prompt of the set (a file in --system-prompts-dir)", default: "urial-default" },
  systemPromptsDir: { flag: "system-prompts-dir", env: "URIAL_SYSTEM_PROMPTS_DIR", value: "DIR", description: "folder of system prompt files", default: "<package>/system-prompts" },
  maxTokens: { flag: "max-tokens", value: "N", description: "longest held-out chat answer to generate and score (shift concentrates at the start of answers)", default: "256" },
  poolMaxTokens: { flag: "pool-max-tokens", value: "N", description: "longest chat answer to generate for --pool-from-chat (an answer cut here is kept and reported)", default: "512" },
  temperature: { flag: "temperature", value: "T", description: "chat answer sampling temperature; 0 is greedy", default: "0" },
  chatTemplate: { flag: "chat-template", value: "TEXT|@FILE", description: "chat template for a chat GGUF without one (as in urial shift)" },
  modelsDir: { flag: "models-dir", env: "URIAL_MODELS_DIR", value: "DIR", description: "cache of pulled models", default: "$XDG_CACHE_HOME/urial/models, else ~/.cache/urial/models" },
  threads: { flag: "threads", env: "URIAL_THREADS", value: "N", description: "CPU threads", default: "physical core count" },
  gpu: { flag: "gpu", env: "URIAL_GPU", value: "KIND", description: "GPU backend: auto | cuda | vulkan | metal | off", default: "auto" },
  contextSize: { flag: "context-size", env: "URIAL_CONTEXT_SIZE", value: "N", description: "tokens per context, for each model", default: "the model's training context, at most 4096" },
} as const satisfies Record<string, SearchOptionSpec>;

type OptionName = keyof typeof exemplarSearchOptions;

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const setName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit" });

const configSchema = z.object({
  base: z.string().min(1),
  chat: z.string().min(1),
  pool: z.string().min(1).optional(),
  poolFromChat: z.string().min(1).optional(),
  queries: z.string().min(1),
  k: wholeNumber(1, 64),
  out: z.string().regex(/\.json$/i, { error: "must be a .json file (the exemplar set to write, e.g. exemplars/my-set.json)" }),
  reportDir: z.string().min(1).optional(),
  cache: z.enum(["on", "off"], { error: "must be on or off" }),
  objective: z.enum(["shifted", "kl"], { error: "must be shifted or kl" }),
  maxPrefixTokens: wholeNumber(1, 10_000_000).optional(),
  informative: wholeNumber(1, 1_000_000).optional(),
  maxEvaluations: wholeNumber(1, 100_000_000).optional(),
  swapPasses: wholeNumber(0, 100),
  randomSets: wholeNumber(0, 100),
  seed: wholeNumber(0, 2 ** 31 - 1),
  name: setName.optional(),
  systemPrompt: setName,
  systemPromptsDir: z.string().min(1),
  maxTokens: wholeNumber(1, 1_000_000),
  poolMaxTokens: wholeNumber(1, 1_000_000),
  temperature: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(10, { error: "must be at most 10" }),
  chatTemplate: z.string().min(1, { error: "must not be empty" }).optional(),
  modelsDir: z.string().min(1),
  threads: wholeNumber(1, 1024).optional(),
  gpu: z.enum(["auto", "cuda", "vulkan", "metal", "off"], { error: "must be auto, cuda, vulkan, metal or off" }).transform((gpu) => (gpu === "off" ? false : gpu)),
  contextSize: wholeNumber(16, 10_000_000).optional(),
});

export type ExemplarSearchConfig = z.output<typeof configSchema> & { name: string; reportDir: string };

export type ExemplarSearchParseResult = { ok: true; config: ExemplarSearchConfig; help: false } | { ok: true; help: true } | { ok: false; message: string };

const defaults: Partial<Record<OptionName, string>> = {
  k: "3",
  cache: "on",
  objective: "shifted",
  swapPasses: "1",
  randomSets: "1",
  seed: "0",
  systemPrompt: "urial-default",
  systemPromptsDir: join(packageRoot, "system-prompts"),
  maxTokens: "256",
  poolMaxTokens: "512",
  temperature: "0",
  gpu: "auto",
};

const usage = "Usage: urial exemplars search --base BASE.gguf --chat CHAT.gguf --pool POOL.jsonl --queries Q.jsonl -k 3 --out SET.json";

/** Parses `urial exemplars search` arguments (after `search`) and environment. */
export function parseExemplarSearchConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ExemplarSearchParseResult {
  // `-k N` is the short form of `--k N` (as the issue and the help write it).
  const args = argv.map((arg) => (arg === "-k" ? "--k" : arg.startsWith("-k=") ? `--k=${arg.slice(3)}` : arg));
  const read = readOptionValues("exemplars search", exemplarSearchOptions, args, env, defaults);
  if (!read.ok) return read;
  if (read.help) return { ok: true, help: true };
  const raw = read.raw;
  raw.modelsDir ??= defaultModelsDir(env);
  for (const name of ["base", "chat", "queries", "out"] as const) {
    if (raw[name] === undefined) {
      const spec: SearchOptionSpec = exemplarSearchOptions[name];
      return { ok: false, message: `--${spec.flag} ${spec.value} is required${spec.env ? ` (or set ${spec.env})` : ""}. ${usage}.` };
    }
  }
  if (raw.pool === undefined && raw.poolFromChat === undefined) {
    return { ok: false, message: `give the candidates with --pool FILE and/or --pool-from-chat QUERIES. ${usage}.` };
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]) as OptionName;
    const spec: SearchOptionSpec = exemplarSearchOptions[name];
    return { ok: false, message: `--${spec.flag}${spec.env ? ` (or ${spec.env})` : ""} ${issue.message}; got '${raw[name]}'.` };
  }
  const config = result.data;
  const fileName = basename(config.out).replace(/\.json$/i, "");
  const name = config.name ?? fileName;
  if (name !== fileName) {
    return { ok: false, message: `--name ${name} must equal the file name of --out (${basename(config.out)}): a set's name is its file name. Use --out ${join(dirname(config.out), `${name}.json`)}.` };
  }
  const named = setName.safeParse(name);
  if (!named.success) {
    return { ok: false, message: `--out ${config.out}: the file name is the set's name, which ${named.error.issues[0]!.message}; e.g. --out exemplars/my-set.json.` };
  }
  return { ok: true, help: false, config: { ...config, name, reportDir: config.reportDir ?? join(dirname(config.out), `${name}-search`) } };
}

/** The help text of `urial exemplars search`. */
export function exemplarSearchHelp(): string {
  const lines = [
    `${usage} [options]`,
    "",
    "Chooses K exemplars from a pool by measurement: the chat model answers the held-out",
    "queries; each candidate set's URIAL context is scored by how many of those answer tokens",
    "the base model ranks > 3 (or by mean KL) when it reads them after the set — lower is",
    "better. Greedy forward selection adds the exemplar that lowers the objective most, then",
    "a swap pass tries every outside exemplar in each place. Writes SET.json (a lint-clean",
    "exemplar set, ready to serve) and DIR/search.json + DIR/report.html: the search path and",
    "the zero-shot / random / chosen / chat splits with the closure.",
    "",
    "Options:",
  ];
  for (const spec of Object.values(exemplarSearchOptions) as SearchOptionSpec[]) {
    lines.push(`  --${spec.flag} ${spec.value}`.padEnd(34) + (spec.env ?? ""));
    lines.push(`      ${spec.description}${spec.default ? ` (default: ${spec.default})` : ""}`);
  }
  lines.push("  -h, --help                      show this help");
  return lines.join("\n");
}
