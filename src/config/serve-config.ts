/**
 * @module config/serve-config
 * `urial serve` settings: each flag has a `URIAL_*` environment variable; a
 * flag wins over its variable. Parsing is pure (argv and env are passed in);
 * every problem is reported with the flag, the variable and the rule.
 */
import { join } from "node:path";
import { z } from "zod";
import { defaultBaseModel, defaultModelReference } from "../models/default-model.js";
import { urialCacheDir } from "../platform/cache-dir.js";
import { configFileHelp } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, readOptionValues, validateOptions, type OptionSpec } from "./read-options.js";
import {
  contextSizeOption,
  exemplarsDirOption,
  exemplarsOption,
  gpuOption,
  gpuSchema,
  modelsDirOption,
  systemPromptsDirOption,
  threadsOption,
  threadsSchema,
  batchThreadsOption,
} from "./shared-options.js";

/** The flags of `urial serve`, in help order. */
export const serveOptions = {
  model: {
    flag: "model",
    short: "m",
    env: "URIAL_MODEL",
    value: "MODEL",
    description: "untuned base GGUF: a path, a cached model's name, hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https URL (pulled into --models-dir once)",
    default: `${defaultBaseModel.uri} (${defaultBaseModel.license}; env URIAL_DEFAULT_MODEL replaces it)`,
  },
  chatModel: {
    flag: "chat-model",
    env: "URIAL_CHAT_MODEL",
    value: "MODEL",
    description: "chat/instruct twin of the base model (same tokenizer), given like --model; enables POST /v1/shift",
    default: "none (no /v1/shift)",
  },
  modelsDir: modelsDirOption,
  host: { flag: "host", env: "URIAL_HOST", value: "HOST", description: "address to listen on", default: "127.0.0.1" },
  port: { flag: "port", short: "p", env: "URIAL_PORT", value: "N", description: "port to listen on (0 picks a free one)", default: "8080" },
  exemplars: exemplarsOption,
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
  systemMessage: {
    flag: "system-message",
    env: "URIAL_SYSTEM_MESSAGE",
    value: "MODE",
    description: "a client system message is appended to, replaces, or is ignored by the set's system prompt: append | replace | ignore",
    default: "append",
  },
  threads: threadsOption,
  batchThreads: batchThreadsOption,
  gpu: gpuOption,
  gpuLayers: { flag: "gpu-layers", env: "URIAL_GPU_LAYERS", value: "N", description: "layers to offload to the GPU: a number, max or auto", default: "auto" },
  flashAttention: {
    flag: "flash-attention",
    env: "URIAL_FLASH_ATTENTION",
    value: "auto|on|off",
    description: "flash attention (llama.cpp's -fa): auto lets llama.cpp decide per device",
    default: "auto",
  },
  contextSize: { ...contextSizeOption, short: "c" },
  parallel: { flag: "parallel", env: "URIAL_PARALLEL", value: "N", description: "sequences that generate at once", default: "2" },
  maxQueue: { flag: "max-queue", env: "URIAL_MAX_QUEUE", value: "N", description: "requests that may wait for a sequence; more get 429", default: "16" },
  prefixCacheDir: {
    flag: "prefix-cache-dir",
    env: "URIAL_PREFIX_CACHE_DIR",
    value: "DIR",
    description: "where exemplar-set prefix states are saved so a restart skips re-evaluating them",
    default: "<cache>/urial/prefix-states",
  },
  prefixCacheMaxBytes: {
    flag: "prefix-cache-max-bytes",
    env: "URIAL_PREFIX_CACHE_MAX_BYTES",
    value: "N",
    description: "bound on saved prefix states (least recently used go first); 0 disables saving",
    default: "2147483648",
  },
  maxBodyBytes: { flag: "max-body-bytes", env: "URIAL_MAX_BODY_BYTES", value: "N", description: "largest request body; larger gets 413", default: "4194304" },
  maxMessages: { flag: "max-messages", env: "URIAL_MAX_MESSAGES", value: "N", description: "most messages in a chat request (prompts in a completions request); more get 400", default: "256" },
  maxInputChars: { flag: "max-input-chars", env: "URIAL_MAX_INPUT_CHARS", value: "N", description: "most characters of text in one request; more get 400", default: "200000" },
  maxTokens: {
    flag: "max-tokens",
    env: "URIAL_MAX_TOKENS",
    value: "N",
    description: "ceiling on a request's max_tokens (above it: 400), and the budget of a request that names none",
    default: "2048",
  },
  requestTimeout: {
    flag: "request-timeout",
    env: "URIAL_REQUEST_TIMEOUT",
    value: "SECONDS",
    description: "wall-clock limit per request, queueing included: then its generation stops and it gets 504; 0 = none",
    default: "300",
  },
  headerTimeout: {
    flag: "header-timeout",
    env: "URIAL_HEADER_TIMEOUT",
    value: "SECONDS",
    description: "longest time for a request's headers to arrive; then 408 and the connection is closed",
    default: "10",
  },
  bodyTimeout: {
    flag: "body-timeout",
    env: "URIAL_BODY_TIMEOUT",
    value: "SECONDS",
    description: "longest time for a request's body to arrive once its headers are in (a trickling body, a short Content-Length); then 408 and the connection is closed; 0 = none",
    default: "30",
  },
  shutdownTimeout: {
    flag: "shutdown-timeout",
    env: "URIAL_SHUTDOWN_TIMEOUT",
    value: "SECONDS",
    description: "on SIGTERM/SIGINT, how long running requests may take to finish before they are stopped",
    default: "20",
  },
  apiKey: {
    flag: "api-key",
    env: "URIAL_API_KEY",
    value: "KEY",
    description: "require 'Authorization: Bearer KEY' on /v1/*, /tokenize and /metrics (/health stays open); repeat the flag, or list keys with commas in the variable",
    default: "none (no authentication)",
    multiple: true,
    secret: true,
  },
  apiKeysFile: { flag: "api-keys-file", env: "URIAL_API_KEYS_FILE", value: "PATH", description: "file of accepted API keys, one per line (# starts a comment); adds to --api-key", default: "none" },
  corsOrigin: {
    flag: "cors-origin",
    env: "URIAL_CORS_ORIGIN",
    value: "ORIGIN",
    description: "let browser pages from ORIGIN (e.g. https://chat.example.com, or * for any) call the API; pages from other origins get 403; repeat the flag, or use commas in the variable",
    default: "none (only the server's own origin)",
    multiple: true,
  },
  allowedHost: {
    flag: "allowed-host",
    env: "URIAL_ALLOWED_HOST",
    value: "HOST",
    description:
      "a Host header name the server answers to, besides the loopback names when bound to loopback (others get 403: DNS rebinding); * accepts any; repeat the flag, or use commas in the variable",
    default: "loopback names when bound to loopback, else any",
    multiple: true,
  },
  logFormat: {
    flag: "log-format",
    env: "URIAL_LOG_FORMAT",
    value: "FORMAT",
    description: "one line per request on stdout: json, pretty, or auto (pretty on a terminal, json otherwise)",
    default: "auto",
  },
  logPrompts: { flag: "log-prompts", env: "URIAL_LOG_PROMPTS", value: "on|off", description: "include each request's messages or prompts in its log line", default: "off" },
  upstream: {
    flag: "upstream",
    env: "URIAL_UPSTREAM",
    value: "URL",
    description:
      "generate on this OpenAI-compatible /v1/completions server (vLLM, llama-server, TGI, a urial serving 'base') instead of a local GGUF; excludes --model. Repeat the flag (or use commas in the variable) for replicas of one model: each exemplar set goes to its own replica, with failover",
    default: "none (local model)",
    multiple: true,
  },
  upstreamModel: {
    flag: "upstream-model",
    env: "URIAL_UPSTREAM_MODEL",
    value: "NAME",
    description: "model name sent to the upstream",
    default: "'base' when the upstream lists it, else its first model",
  },
  upstreamApiKey: { flag: "upstream-api-key", env: "URIAL_UPSTREAM_API_KEY", value: "KEY", description: "API key sent to the upstream as a Bearer token", default: "none", secret: true },
  upstreamTimeout: {
    flag: "upstream-timeout",
    env: "URIAL_UPSTREAM_TIMEOUT",
    value: "SECONDS",
    description: "longest wait for the upstream's answer and between two of its chunks; then 504",
    default: "60",
  },
  upstreamHealthInterval: {
    flag: "upstream-health-interval",
    env: "URIAL_UPSTREAM_HEALTH_INTERVAL",
    value: "SECONDS",
    description:
      "how often each upstream's /health is checked (a down one rejoins when it passes); a request that cannot connect triggers one at once; 0 = no checks (a replica is never taken out, requests still move on when it fails)",
    default: "5",
  },
  upstreamTokenizer: {
    flag: "upstream-tokenizer",
    env: "URIAL_UPSTREAM_TOKENIZER",
    value: "MODE",
    description: "count prompt tokens with the upstream's /tokenize (upstream), by estimate (estimate), or the first that works (auto)",
    default: "auto",
  },
  experiments: {
    flag: "experiments",
    env: "URIAL_EXPERIMENTS",
    value: "FILE",
    description: "online A/B experiments (JSON): each model id splits chat traffic between variants; enables POST /v1/feedback and GET /v1/experiments/:id",
    default: "none",
  },
  votesLog: {
    flag: "votes-log",
    env: "URIAL_VOTES_LOG",
    value: "FILE",
    description: "where the playground's votes are kept (JSONL, one line per vote; POST/GET /v1/votes)",
    default: "<cache>/urial/playground/votes.jsonl",
  },
  experimentLog: {
    flag: "experiment-log",
    env: "URIAL_EXPERIMENT_LOG",
    value: "FILE",
    description: "outcome log of the experiments (JSONL, one line per request and per vote; read back at start)",
    default: "<cache>/urial/experiments/outcomes.jsonl",
  },
  experimentLogMaxBytes: {
    flag: "experiment-log-max-bytes",
    env: "URIAL_EXPERIMENT_LOG_MAX_BYTES",
    value: "N",
    description: "rotate the outcome log before it grows past this size",
    default: "67108864",
  },
  experimentLogFiles: { flag: "experiment-log-files", env: "URIAL_EXPERIMENT_LOG_FILES", value: "N", description: "rotated outcome logs kept (FILE.1 … FILE.N)", default: "5" },
  experimentLogText: {
    flag: "experiment-log-text",
    env: "URIAL_EXPERIMENT_LOG_TEXT",
    value: "on|off",
    description: "include each experiment request's messages and answers in its outcome line",
    default: "off",
  },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof serveOptions;

const positiveInteger = (max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(max, { error: `must be at most ${max}` });

/** Seconds as a number (fractions allowed); `zero`: 0 is allowed (meaning "no limit"). */
function seconds(max: number, zero: boolean) {
  return z.coerce
    .number({ error: "must be a number of seconds" })
    .min(zero ? 0 : 0.001, { error: zero ? "must be at least 0" : "must be more than 0" })
    .max(max, { error: `must be at most ${max}` });
}

/** A comma-separated list (what repeated flags are joined into), empty items dropped. */
function commaList() {
  return z.string().transform((text) =>
    text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );
}

const configSchema = z.object({
  model: z.string({ error: "is required" }).min(1, { error: "is required" }),
  chatModel: z.string().min(1).optional(),
  modelsDir: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number({ error: "must be a port number" }).int({ error: "must be a port number" }).min(0, { error: "must be 0–65535" }).max(65535, { error: "must be 0–65535" }),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
  systemMessage: z.enum(["append", "replace", "ignore"], { error: "must be append, replace or ignore" }),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  gpuLayers: z
    .string()
    .regex(/^(auto|max|\d+)$/, { error: "must be a number, max or auto" })
    .transform((value) => (value === "auto" || value === "max" ? value : Number(value))),
  flashAttention: z.enum(["auto", "on", "off"], { error: "must be auto, on or off" }),
  contextSize: positiveInteger(10_000_000).optional(),
  parallel: positiveInteger(256),
  maxQueue: z.coerce.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }).min(0, { error: "must be at least 0" }).max(100_000),
  prefixCacheDir: z.string().min(1),
  prefixCacheMaxBytes: z.coerce.number({ error: "must be a whole number of bytes" }).int({ error: "must be a whole number of bytes" }).min(0, { error: "must be at least 0" }),
  maxBodyBytes: positiveInteger(1024 * 1024 * 1024),
  maxMessages: positiveInteger(1_000_000),
  maxInputChars: positiveInteger(1024 * 1024 * 1024),
  maxTokens: positiveInteger(10_000_000),
  requestTimeout: seconds(7 * 24 * 3600, true),
  headerTimeout: seconds(3600, false),
  bodyTimeout: seconds(3600, true),
  shutdownTimeout: seconds(3600, true),
  apiKey: commaList()
    .refine((keys) => keys.every((key) => /^[\x21-\x2b\x2d-\x7e]+$/.test(key)), { error: "must be printable ASCII without spaces or commas" })
    .optional(),
  apiKeysFile: z.string().min(1).optional(),
  corsOrigin: commaList()
    .refine((origins) => origins.every((origin) => origin === "*" || /^https?:\/\/[^/\s]+$/.test(origin)), {
      error: "must be * or origins such as https://chat.example.com (scheme and host, no path)",
    })
    .optional(),
  allowedHost: commaList()
    .refine((hosts) => hosts.every((host) => host === "*" || /^[A-Za-z0-9.:[\]-]+$/.test(host)), { error: "must be * or host names such as chat.example.com (no scheme, no port)" })
    .optional(),
  logFormat: z.enum(["auto", "json", "pretty"], { error: "must be auto, json or pretty" }),
  logPrompts: z
    .string()
    .regex(/^(on|off|true|false|yes|no|1|0)$/i, { error: "must be on or off" })
    .transform((value) => /^(on|true|yes|1)$/i.test(value)),
  upstream: commaList()
    .refine((urls) => urls.length > 0, { error: "needs a URL" })
    .refine((urls) => new Set(urls).size === urls.length, { error: "lists the same URL twice" })
    .optional(),
  upstreamModel: z.string().min(1).optional(),
  upstreamApiKey: z
    .string()
    .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" })
    .optional(),
  upstreamTimeout: seconds(3600, false),
  upstreamHealthInterval: seconds(3600, true),
  upstreamTokenizer: z.enum(["auto", "upstream", "estimate"], { error: "must be auto, upstream or estimate" }),
  experiments: z.string().min(1).optional(),
  votesLog: z.string().min(1),
  experimentLog: z.string().min(1),
  experimentLogMaxBytes: positiveInteger(1024 ** 4),
  experimentLogFiles: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(0, { error: "must be at least 0" })
    .max(1000, { error: "must be at most 1000" }),
  experimentLogText: z
    .string()
    .regex(/^(on|off|true|false|yes|no|1|0)$/i, { error: "must be on or off" })
    .transform((value) => /^(on|true|yes|1)$/i.test(value)),
});

export type ServeConfig = z.output<typeof configSchema>;

/**
 * `defaultModel` is true when neither --model nor URIAL_MODEL was given and the documented default base model is used;
 * `defaultExemplars` when no exemplar set was named (then a set that cannot fit the context may be swapped at start-up).
 * `raw` holds the values as read (for --print-config).
 */
export type ParseResult =
  { ok: true; config: ServeConfig; help: boolean; defaultModel?: boolean; defaultExemplars?: boolean; raw?: Record<string, string | undefined> } | { ok: false; message: string };

/** Checks one option's value as the config would: what a `--config` file's values go through before they are used. */
export function checkServeOption(name: string, value: string): string | undefined {
  return checkOptionValue(configSchema, name, value);
}

/** Defaults of the options the shared table does not cover; computed from the environment passed in. */
const defaults = (env: Readonly<Record<string, string | undefined>>): Partial<Record<OptionName, string>> => ({
  host: "127.0.0.1",
  port: "8080",
  systemMessage: "append",
  gpuLayers: "auto",
  flashAttention: "auto",
  parallel: "2",
  maxQueue: "16",
  prefixCacheDir: join(urialCacheDir(env), "prefix-states"),
  prefixCacheMaxBytes: String(2 * 1024 ** 3),
  maxBodyBytes: String(4 * 1024 * 1024),
  maxMessages: "256",
  maxInputChars: "200000",
  maxTokens: "2048",
  requestTimeout: "300",
  headerTimeout: "10",
  bodyTimeout: "30",
  shutdownTimeout: "20",
  logFormat: "auto",
  logPrompts: "off",
  upstreamTimeout: "60",
  upstreamHealthInterval: "5",
  upstreamTokenizer: "auto",
  votesLog: join(urialCacheDir(env), "playground", "votes.jsonl"),
  experimentLog: join(urialCacheDir(env), "experiments", "outcomes.jsonl"),
  experimentLogMaxBytes: String(64 * 1024 * 1024),
  experimentLogFiles: "5",
  experimentLogText: "off",
});

/** Parses `urial serve` arguments and environment. */
export function parseServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParseResult {
  const table: Record<string, OptionSpec> = Object.fromEntries(Object.entries(serveOptions).map(([name, spec]) => [name, { defaultValue: defaults(env)[name as OptionName], ...spec }]));
  const read = readOptionValues("serve", table, argv, env);
  if (!read.ok) return read;
  if (read.help) return { ok: true, help: true, config: undefined as never };
  const raw = read.raw;
  const defaultModel = raw.model === undefined;
  const defaultExemplars = !explicitlyGiven("exemplars", argv, env);
  if (raw.upstream !== undefined && (!defaultModel || raw.chatModel !== undefined)) {
    return {
      ok: false,
      message: `--upstream (or URIAL_UPSTREAM) generates on a remote server, so --model and --chat-model (or URIAL_MODEL, URIAL_CHAT_MODEL) cannot be given with it; got --upstream '${raw.upstream}' and --${defaultModel ? "chat-model" : "model"} '${defaultModel ? raw.chatModel : raw.model}'.`,
    };
  }
  raw.model ??= defaultModelReference(env);
  const result = validateOptions("serve", table, configSchema, raw);
  if (!result.ok || result.help) return result.ok ? { ok: false, message: "unreachable" } : result;
  return { ok: true, help: false, config: result.config, raw, ...(defaultModel ? { defaultModel } : {}), ...(defaultExemplars ? { defaultExemplars } : {}) };
}

/** Whether the user gave an option (its flag, its variable, or a --config key, which arrives as a flag) rather than leaving it to the default. */
function explicitlyGiven(name: OptionName, argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const spec: OptionSpec = serveOptions[name];
  const value = spec.env === undefined ? undefined : env[spec.env];
  return (value !== undefined && value !== "") || argv.some((arg) => arg === `--${spec.flag}` || arg.startsWith(`--${spec.flag}=`) || (spec.short !== undefined && arg === `-${spec.short}`));
}

/** The help text of `urial serve`. */
export function serveHelp(): string {
  const lines = [
    "Usage: urial serve [-m MODEL] [--config FILE] [options]",
    "",
    "Serve an untuned base GGUF model through the URIAL prompt on an OpenAI-compatible API",
    "(POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health).",
    "",
    ...configFileHelp("serve", "context-size: 4096"),
  ];
  lines.push(...formatOptionsHelp(serveOptions));
  return lines.join("\n");
}
