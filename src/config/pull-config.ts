/**
 * @module config/pull-config
 * `urial pull` options: the models cache (`--models-dir`, URIAL_MODELS_DIR,
 * shared with every command that reads the cache). Pure: argv and env are
 * passed in; the models to pull are the positionals.
 */
import { z } from "zod";
import { formatOptionsHelp, parseOptions, type Env, type ParsedOptions } from "./read-options.js";
import { modelsDirOption } from "./shared-options.js";

/** The flags of `urial pull`, in help order. */
export const pullOptions = {
  modelsDir: { ...modelsDirOption, description: "the models cache the files are pulled into" },
} as const;

const schema = z.object({ modelsDir: z.string().min(1, { error: "must not be empty" }) });

export type PullConfig = z.output<typeof schema>;

/** Reads `urial pull` arguments and environment; the models are the positionals. */
export function parsePullConfig(argv: readonly string[], env: Env): ParsedOptions<PullConfig> {
  return parseOptions("pull", pullOptions, schema, argv, env, { positionals: true });
}

/** The help text of `urial pull`. */
export function pullHelp(): string {
  return [
    "Usage: urial pull <model>... [--models-dir DIR]",
    "",
    "Download GGUF models into the models cache, verified (size, GGUF header, and",
    "sha256 where the source gives one), once: a second pull finds the cached file.",
    "An interrupted download resumes where it stopped when run again.",
    "",
    "  <model>                         hf:<user>/<repo>/<file>.gguf   a file in a Hugging Face repository",
    "                                  hf:<user>/<repo>:<quant>       the repository's GGUF of that quantization",
    "                                  https://…/<file>.gguf          any URL",
    "",
    "Options (each can also be set with its environment variable; the flag wins):",
    ...formatOptionsHelp(pullOptions),
    "",
    "Environment: HF_TOKEN (gated or private repositories), HF_ENDPOINT (a hub mirror),",
    "URIAL_CONNECT_TIMEOUT (seconds, default 10), URIAL_DOWNLOAD_STALL_TIMEOUT (seconds, default 30).",
    "Prints the path of each model on stdout; use it, or the file name, as --model.",
  ].join("\n");
}
