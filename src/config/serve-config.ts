/**
 * @module config/serve-config
 * `urial serve` settings: each flag has a `URIAL_*` environment variable; a
 * flag wins over its variable. Parsing is pure (argv and env are passed in);
 * every problem is reported with the flag, the variable and the rule.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { urialCacheDir } from "./cache-dir.js";

/** Where the shipped `exemplars/` and `system-prompts/` live (the package root). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The nearest folder above `from` with a package.json (works from src/ and from dist/src/). */
function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

export interface OptionSpec {
  flag: string;
  env: string;
  value: string;
  description: string;
  default?: string;
}

/** The flags of `urial serve`, in help order. */
export const serveOptions = {
  model: { flag: "model", env: "URIAL_MODEL", value: "PATH", description: "GGUF file of an untuned base model (required)" },
  chatModel: { flag: "chat-model", env: "URIAL_CHAT_MODEL", value: "PATH", description: "chat/instruct twin of the base model (same tokenizer); enables POST /v1/shift", default: "none (no /v1/shift)" },
  host: { flag: "host", env: "URIAL_HOST", value: "HOST", description: "address to listen on", default: "127.0.0.1" },
  port: { flag: "port", env: "URIAL_PORT", value: "N", description: "port to listen on (0 picks a free one)", default: "8080" },
  exemplars: { flag: "exemplars", env: "URIAL_EXEMPLARS", value: "NAME", description: "exemplar set served as model 'urial'", default: "urial-help" },
  exemplarsDir: { flag: "exemplars-dir", env: "URIAL_EXEMPLARS_DIR", value: "DIR", description: "folder of exemplar set files", default: "<package>/exemplars" },
  systemPromptsDir: { flag: "system-prompts-dir", env: "URIAL_SYSTEM_PROMPTS_DIR", value: "DIR", description: "folder of system prompt files", default: "<package>/system-prompts" },
  systemMessage: { flag: "system-message", env: "URIAL_SYSTEM_MESSAGE", value: "MODE", description: "a client system message is appended to, replaces, or is ignored by the set's system prompt: append | replace | ignore", default: "append" },
  threads: { flag: "threads", env: "URIAL_THREADS", value: "N", description: "CPU threads", default: "physical core count" },
  gpu: { flag: "gpu", env: "URIAL_GPU", value: "KIND", description: "GPU backend: auto | cuda | vulkan | metal | off", default: "auto" },
  gpuLayers: { flag: "gpu-layers", env: "URIAL_GPU_LAYERS", value: "N", description: "layers to offload to the GPU: a number, max or auto", default: "auto" },
  contextSize: { flag: "context-size", env: "URIAL_CONTEXT_SIZE", value: "N", description: "tokens per sequence (prompt + answer)", default: "the model's training context, at most 4096" },
  parallel: { flag: "parallel", env: "URIAL_PARALLEL", value: "N", description: "sequences that generate at once", default: "2" },
  maxQueue: { flag: "max-queue", env: "URIAL_MAX_QUEUE", value: "N", description: "requests that may wait for a sequence; more get 429", default: "16" },
  prefixCacheDir: { flag: "prefix-cache-dir", env: "URIAL_PREFIX_CACHE_DIR", value: "DIR", description: "where exemplar-set prefix states are saved so a restart skips re-evaluating them", default: "<cache>/urial/prefix-states" },
  prefixCacheMaxBytes: { flag: "prefix-cache-max-bytes", env: "URIAL_PREFIX_CACHE_MAX_BYTES", value: "N", description: "bound on saved prefix states (least recently used go first); 0 disables saving", default: "2147483648" },
  maxBodyBytes: { flag: "max-body-bytes", env: "URIAL_MAX_BODY_BYTES", value: "N", description: "largest request body; larger gets 413", default: "4194304" },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof serveOptions;

const positiveInteger = (max: number) =>
  z.coerce.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" }).max(max, { error: `must be at most ${max}` });

const configSchema = z.object({
  model: z.string({ error: "is required" }).min(1, { error: "is required" }),
  chatModel: z.string().min(1).optional(),
  host: z.string().min(1),
  port: z.coerce.number({ error: "must be a port number" }).int({ error: "must be a port number" }).min(0, { error: "must be 0–65535" }).max(65535, { error: "must be 0–65535" }),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
  systemMessage: z.enum(["append", "replace", "ignore"], { error: "must be append, replace or ignore" }),
  threads: positiveInteger(1024).optional(),
  gpu: z.enum(["auto", "cuda", "vulkan", "metal", "off"], { error: "must be auto, cuda, vulkan, metal or off" }).transform((gpu) => (gpu === "off" ? false : gpu)),
  gpuLayers: z
    .string()
    .regex(/^(auto|max|\d+)$/, { error: "must be a number, max or auto" })
    .transform((value) => (value === "auto" || value === "max" ? value : Number(value))),
  contextSize: positiveInteger(10_000_000).optional(),
  parallel: positiveInteger(256),
  maxQueue: z.coerce.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }).min(0, { error: "must be at least 0" }).max(100_000),
  prefixCacheDir: z.string().min(1),
  prefixCacheMaxBytes: z.coerce.number({ error: "must be a whole number of bytes" }).int({ error: "must be a whole number of bytes" }).min(0, { error: "must be at least 0" }),
  maxBodyBytes: positiveInteger(1024 * 1024 * 1024),
});

export type ServeConfig = z.output<typeof configSchema>;

export type ParseResult = { ok: true; config: ServeConfig; help: boolean } | { ok: false; message: string };

const defaults: Partial<Record<OptionName, string>> = {
  host: "127.0.0.1",
  port: "8080",
  exemplars: "urial-help",
  exemplarsDir: join(packageRoot, "exemplars"),
  systemPromptsDir: join(packageRoot, "system-prompts"),
  systemMessage: "append",
  gpu: "auto",
  gpuLayers: "auto",
  parallel: "2",
  maxQueue: "16",
  prefixCacheDir: join(urialCacheDir(), "prefix-states"),
  prefixCacheMaxBytes: String(2 * 1024 ** 3),
  maxBodyBytes: String(4 * 1024 * 1024),
};

/** Parses `urial serve` arguments and environment. */
export function parseServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParseResult {
  const specs = Object.entries(serveOptions) as [OptionName, OptionSpec][];
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(specs.map(([, spec]) => [spec.flag, { type: "string" as const }])),
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    });
    values = parsed.values;
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}. Run 'urial serve --help' for the options.` };
  }
  const help = values.help === true;
  const raw: Record<string, string | undefined> = {};
  for (const [name, spec] of specs) {
    const fromFlag = values[spec.flag];
    const fromEnv = env[spec.env];
    raw[name] = typeof fromFlag === "string" ? fromFlag : fromEnv !== undefined && fromEnv !== "" ? fromEnv : defaults[name];
  }
  if (help) return { ok: true, help: true, config: undefined as never };
  if (raw.model === undefined) {
    return {
      ok: false,
      message: "No model given. Pass the path of a base GGUF model with --model PATH (or set URIAL_MODEL=PATH), e.g. 'urial serve --model ./models/mistral-7b-v0.1.Q4_K_M.gguf'.",
    };
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]) as OptionName;
    const spec = serveOptions[name];
    return { ok: false, message: `--${spec.flag} (or ${spec.env}) ${issue.message}; got '${raw[name]}'.` };
  }
  return { ok: true, help: false, config: result.data };
}

/** The help text of `urial serve`. */
export function serveHelp(): string {
  const lines = [
    "Usage: urial serve --model PATH [options]",
    "",
    "Serve an untuned base GGUF model through the URIAL prompt on an OpenAI-compatible API",
    "(POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health).",
    "",
    "Options (each can also be set with its environment variable; the flag wins):",
  ];
  for (const spec of Object.values(serveOptions) as OptionSpec[]) {
    lines.push(`  --${spec.flag} ${spec.value}`.padEnd(34) + `${spec.env}`);
    lines.push(`      ${spec.description}${spec.default ? ` (default: ${spec.default})` : ""}`);
  }
  lines.push("  -h, --help                      show this help");
  return lines.join("\n");
}
