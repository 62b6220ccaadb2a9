/**
 * @module config/exemplar-search-config
 * `urial exemplars search` settings, on the one option layer
 * (`config/read-options`): parsing is pure (argv and env passed in); every
 * problem names the flag and the rule. The model, folder, thread (decode
 * and prefill), GPU and context flags are the shared ones, with the same
 * `URIAL_*` variables as `urial shift`; a `--config` file (read by
 * `cli/apply-config-file`) takes the long option names as keys. A flag wins
 * over its variable, which wins over the file, which wins over the default.
 */
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { configFileHelp } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, readOptionValues, validateOptions, type OptionSpec } from "./read-options.js";
import { batchThreadsOption, contextSizeOption, gpuOption, gpuSchema, modelsDirOption, systemPromptsDirOption, threadsOption, threadsSchema, wholeNumber } from "./shared-options.js";

type SearchOptionSpec = OptionSpec;

/** The flags of `urial exemplars search`, in help order. */
export const exemplarSearchOptions = {
  base: { flag: "base", env: "URIAL_MODEL", value: "MODEL", description: "the base model: a GGUF path, a cached model's name, an hf: URI or an https URL (required)" },
  chat: { flag: "chat", env: "URIAL_CHAT_MODEL", value: "MODEL", description: "its chat/instruct twin, same tokenizer, given like --base (required)" },
  pool: { flag: "pool", value: "FILE", description: 'candidate exemplars: JSONL (one {"query", "answer", "id"?, "thoughts"?} per line) or an exemplar-set file' },
  poolFromChat: { flag: "pool-from-chat", value: "QUERIES", path: true, description: "add the chat model's own answers to these queries (JSONL or one per line) to the pool" },
  queries: { flag: "queries", value: "FILE", description: 'held-out queries the objective is measured on: JSONL ({"query", "id"?, "answer"?}) or one per line (required)' },
  k: { flag: "k", short: "k", value: "N", description: "exemplars to choose", default: "3", defaultValue: "3" },
  out: { flag: "out", value: "SET.json", path: true, description: "the exemplar-set file to write; its name (without .json) is the set's name (required)" },
  reportDir: { flag: "report-dir", value: "DIR", description: "folder for search.json, report.html and the resumable cache", default: "<SET>-search/ beside SET.json" },
  cache: { flag: "cache", value: "on|off", description: "reuse and extend DIR/cache.jsonl, so a stopped or repeated search resumes", default: "on", defaultValue: "on" },
  objective: {
    flag: "objective",
    value: "NAME",
    description: "what to minimise: shifted (share of chat tokens the base ranks > 3) or kl (mean KL(chat ‖ base))",
    default: "shifted",
    defaultValue: "shifted",
  },
  maxPrefixTokens: { flag: "max-prefix-tokens", value: "N", description: "most tokens of system prompt + exemplars", default: "the context less the longest held-out query and answer" },
  informative: { flag: "informative", value: "N", description: "search on the N held-out queries where one-exemplar sets disagree most", default: "all queries" },
  maxEvaluations: { flag: "max-evaluations", value: "N", description: "most candidate sets to score (greedy samples candidates per step when it would need more)", default: "no bound" },
  swapPasses: { flag: "swap-passes", value: "N", description: "swap passes after greedy selection (0: none)", default: "1", defaultValue: "1" },
  randomSets: { flag: "random-sets", value: "N", description: "random K-subsets scored for comparison in the report", default: "1", defaultValue: "1" },
  seed: { flag: "seed", value: "N", description: "seed for sampling under a budget, the random sets and chat sampling", default: "0", defaultValue: "0" },
  name: { flag: "name", value: "NAME", description: "the set's name in the file (must equal the file name)", default: "SET from SET.json" },
  systemPrompt: { flag: "system-prompt", value: "NAME", description: "system prompt of the set (a file in --system-prompts-dir)", default: "urial-default", defaultValue: "urial-default" },
  systemPromptsDir: systemPromptsDirOption,
  maxTokens: { flag: "max-tokens", value: "N", description: "longest held-out chat answer to generate and score (shift concentrates at the start of answers)", default: "256", defaultValue: "256" },
  poolMaxTokens: {
    flag: "pool-max-tokens",
    value: "N",
    description: "longest chat answer to generate for --pool-from-chat (an answer cut here is kept and reported)",
    default: "512",
    defaultValue: "512",
  },
  temperature: { flag: "temperature", value: "T", description: "chat answer sampling temperature; 0 is greedy", default: "0", defaultValue: "0" },
  chatTemplate: { flag: "chat-template", value: "TEXT|@FILE", description: "chat template for a chat GGUF without one (as in urial shift)" },
  modelsDir: modelsDirOption,
  threads: threadsOption,
  batchThreads: { ...batchThreadsOption, description: `${batchThreadsOption.description}; scoring a candidate set (the base model reading the answers) counts as prefill` },
  gpu: gpuOption,
  contextSize: { ...contextSizeOption, description: "tokens per context (prompt + answer), for each model" },
} as const satisfies Record<string, SearchOptionSpec>;

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
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  contextSize: wholeNumber(16, 10_000_000).optional(),
});

export type ExemplarSearchConfig = z.output<typeof configSchema> & { name: string; reportDir: string };

/** `raw` holds the values as read (for --print-config). */
export type ExemplarSearchParseResult = { ok: true; config: ExemplarSearchConfig; help: false; raw: Record<string, string | undefined> } | { ok: true; help: true } | { ok: false; message: string };

/** Checks one option's value as the config would: what a `--config` file's values go through before they are used. */
export function checkExemplarSearchOption(name: string, value: string): string | undefined {
  return checkOptionValue(configSchema, name, value);
}

const usage = "Usage: urial exemplars search --base BASE.gguf --chat CHAT.gguf --pool POOL.jsonl --queries Q.jsonl -k 3 --out SET.json";

/** Parses `urial exemplars search` arguments (after `search`) and environment. */
export function parseExemplarSearchConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ExemplarSearchParseResult {
  const read = readOptionValues("exemplars search", exemplarSearchOptions, argv, env);
  if (!read.ok || read.help) return read;
  const raw = read.raw;
  for (const name of ["base", "chat", "queries", "out"] as const) {
    if (raw[name] === undefined) {
      const spec: SearchOptionSpec = exemplarSearchOptions[name];
      return { ok: false, message: `--${spec.flag} ${spec.value} is required${spec.env ? ` (or set ${spec.env})` : ""}. ${usage}.` };
    }
  }
  if (raw.pool === undefined && raw.poolFromChat === undefined) {
    return { ok: false, message: `give the candidates with --pool FILE and/or --pool-from-chat QUERIES. ${usage}.` };
  }
  const result = validateOptions("exemplars search", exemplarSearchOptions, configSchema, raw);
  if (!result.ok || result.help) return result;
  const config = result.config;
  const fileName = basename(config.out).replace(/\.json$/i, "");
  const name = config.name ?? fileName;
  if (name !== fileName) {
    return { ok: false, message: `--name ${name} must equal the file name of --out (${basename(config.out)}): a set's name is its file name. Use --out ${join(dirname(config.out), `${name}.json`)}.` };
  }
  const named = setName.safeParse(name);
  if (!named.success) {
    return { ok: false, message: `--out ${config.out}: the file name is the set's name, which ${named.error.issues[0]!.message}; e.g. --out exemplars/my-set.json.` };
  }
  return { ok: true, help: false, config: { ...config, name, reportDir: config.reportDir ?? join(dirname(config.out), `${name}-search`) }, raw };
}

/** The help text of `urial exemplars search`. */
export function exemplarSearchHelp(): string {
  const lines = [
    `${usage} [--config FILE] [options]`,
    "",
    "Chooses K exemplars from a pool by measurement: the chat model answers the held-out",
    "queries; each candidate set's URIAL context is scored by how many of those answer tokens",
    "the base model ranks > 3 (or by mean KL) when it reads them after the set — lower is",
    "better. Greedy forward selection adds the exemplar that lowers the objective most, then",
    "a swap pass tries every outside exemplar in each place. Writes SET.json (a lint-clean",
    "exemplar set, ready to serve) and DIR/search.json + DIR/report.html: the search path and",
    "the zero-shot / random / chosen / chat splits with the closure.",
    "",
    ...configFileHelp("exemplars search", "objective: kl"),
  ];
  lines.push(...formatOptionsHelp(exemplarSearchOptions));
  return lines.join("\n");
}
