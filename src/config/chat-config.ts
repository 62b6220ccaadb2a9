/**
 * @module config/chat-config
 * `urial chat` options. Pure: argv and env are passed in; every problem
 * names the flag (and its variable) and the rule. The model, cache,
 * exemplar, thread (decode and prefill), GPU and context flags read the
 * same `URIAL_*` variables as `urial serve`, and `--threads` and
 * `--batch-threads` default to `auto`; a `--config` file
 * (read by `cli/apply-config-file`) takes the same keys. `--model` loads a
 * GGUF here, `--url` talks to a running server: both given is an error, and
 * a `--url` flag wins over URIAL_MODEL.
 */
import { z } from "zod";
import { configFileHelp, givenOptions } from "./config-file.js";
import { checkOptionValue, formatOptionsHelp, readOptionValues, validateOptions, type Env, type OptionSpec, type ParsedOptions } from "./read-options.js";
import { batchThreadsOption, contextSizeOption, exemplarsDirOption, gpuOption, gpuSchema, modelsDirOption, systemPromptsDirOption, threadsOption, threadsSchema } from "./shared-options.js";

/** The server `urial chat` talks to when neither --model nor --url is given. */
export const defaultChatUrl = "http://127.0.0.1:8080/v1";

/** The flags of `urial chat`, in help order. */
export const chatOptions = {
  model: { flag: "model", short: "m", env: "URIAL_MODEL", value: "MODEL", description: "a base GGUF to load here: a path, a cached name, hf:… or an https URL" },
  url: { flag: "url", env: "URIAL_URL", value: "URL", description: "a running urial (or other OpenAI-compatible) server instead", default: defaultChatUrl },
  apiKey: { flag: "api-key", env: "URIAL_API_KEY", value: "KEY", description: "sent to --url as a Bearer token", secret: true },
  exemplars: { flag: "exemplars", short: "e", value: "NAME", description: "exemplar set to start with (switch with /set NAME)", default: "the server's 'urial'" },
  system: { flag: "system", short: "s", value: "TEXT", description: "a system message for every turn" },
  temperature: { flag: "temperature", value: "N", description: "sampling temperature", default: "the server's, 0.7 for a local model" },
  maxTokens: { flag: "max-tokens", value: "N", description: "longest answer in tokens", default: "512", defaultValue: "512" },
  seed: { flag: "seed", value: "N", description: "sampling seed" },
  contextSize: { ...contextSizeOption, short: "c", description: "with --model: tokens per sequence (prompt + answer)" },
  threads: { ...threadsOption, short: "t", description: `with --model: ${threadsOption.description}` },
  batchThreads: { ...batchThreadsOption, description: `with --model: ${batchThreadsOption.description}` },
  gpu: { ...gpuOption, description: `with --model: ${gpuOption.description}` },
  modelsDir: { ...modelsDirOption, description: "with --model: the models cache" },
  exemplarsDir: { ...exemplarsDirOption, description: "with --model: folder of exemplar sets" },
  systemPromptsDir: { ...systemPromptsDirOption, description: "with --model: folder of system prompts" },
} as const satisfies Record<string, OptionSpec>;

/** A number in [min, max] (a whole one when `integer`), with the one message every bad value gets. */
const numberIn = (min: number, max: number, integer: boolean) => {
  const error = `must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}`;
  return z
    .string()
    .refine(
      (raw) => {
        const value = Number(raw);
        return raw.trim() !== "" && Number.isFinite(value) && (!integer || Number.isInteger(value)) && value >= min && value <= max;
      },
      { error },
    )
    .transform(Number);
};

const httpUrl = z.string().refine(
  (raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  },
  { error: `must be an http(s) URL such as ${defaultChatUrl}` },
);

const configSchema = z.object({
  model: z.string().min(1, { error: "must not be empty" }).optional(),
  url: httpUrl.optional(),
  apiKey: z.string().optional(),
  exemplars: z.string().min(1, { error: "must not be empty" }).optional(),
  system: z.string().optional(),
  temperature: numberIn(0, 2, false).optional(),
  maxTokens: numberIn(1, 10_000_000, true),
  seed: numberIn(0, 2 ** 31, true).optional(),
  contextSize: numberIn(1, 10_000_000, true).optional(),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  modelsDir: z.string().min(1, { error: "must not be empty" }),
  exemplarsDir: z.string().min(1, { error: "must not be empty" }),
  systemPromptsDir: z.string().min(1, { error: "must not be empty" }),
});

export type ChatConfig = z.output<typeof configSchema>;

/** Checks one value as the config would: what a `--config` file's values go through before they are used. */
export function checkChatOption(name: string, value: string): string | undefined {
  return checkOptionValue(configSchema, name, value);
}

/** Reads `urial chat` arguments and environment; the MESSAGE words are the positionals. */
export function parseChatConfig(argv: readonly string[], env: Env): ParsedOptions<ChatConfig> {
  const read = readOptionValues("chat", chatOptions, argv, env, { positionals: true });
  if (!read.ok || read.help) return read;
  const given = givenOptions(chatOptions, argv, env);
  const flagged = (name: keyof typeof chatOptions) => given.get(name)?.from === "flag";
  if (flagged("model") && flagged("url")) return { ok: false, message: "give --model (a GGUF to load here) or --url (a running server), not both." };
  // URIAL_MODEL picks the model only when no --url says to talk to a server.
  if (flagged("url") && !flagged("model")) read.raw.model = undefined;
  return validateOptions("chat", chatOptions, configSchema, read.raw, read.positionals);
}

/** The help text of `urial chat` (without the in-chat commands, which `cli/chat-session` owns). */
export function chatOptionsHelp(): string {
  return [
    "Usage: urial chat [--model MODEL | --url URL] [--config FILE] [options] [MESSAGE]",
    "",
    "Chat with a base model through the URIAL prompt in the terminal. Answers stream;",
    "Ctrl-C stops an answer (not the program); Ctrl-D or /bye quits. With stdin a pipe,",
    "each line is one turn and only the answers are written to stdout. With MESSAGE,",
    "answers it and exits.",
    "",
    ...configFileHelp("chat", "max-tokens: 256"),
    ...formatOptionsHelp(chatOptions),
  ].join("\n");
}
