/**
 * @module config/models-config
 * `urial models` options: the models cache (`--models-dir`, URIAL_MODELS_DIR,
 * shared with every command that reads the cache) and `--json`. Pure: argv
 * and env are passed in; the action (`rm`) and names are the positionals.
 */
import { z } from "zod";
import { formatOptionsHelp, parseOptions, type Env, type ParsedOptions } from "./read-options.js";
import { modelsDirOption } from "./shared-options.js";

/** The flags of `urial models`, in help order. */
export const modelsOptions = {
  modelsDir: { ...modelsDirOption, description: "the models cache to list or remove from" },
  json: { flag: "json", value: "", description: "the list as JSON", boolean: true },
} as const;

const schema = z.object({
  modelsDir: z.string().min(1, { error: "must not be empty" }),
  json: z
    .enum(["true", "false"])
    .optional()
    .transform((json) => json === "true"),
});

export type ModelsConfig = z.output<typeof schema>;

/** Reads `urial models` arguments and environment; the action and names are the positionals. */
export function parseModelsConfig(argv: readonly string[], env: Env): ParsedOptions<ModelsConfig> {
  return parseOptions("models", modelsOptions, schema, argv, env, { positionals: true });
}

/** The help text of `urial models`. */
export function modelsHelp(): string {
  return [
    "Usage: urial models [--models-dir DIR] [--json]",
    "       urial models rm NAME... [--models-dir DIR]",
    "",
    "List the models cache: name (what --model takes), size, architecture, parameters,",
    "training context length, kind (base, or chat when the GGUF has a chat template)",
    "and source; or remove models from it.",
    "",
    "Options (each can also be set with its environment variable; the flag wins):",
    ...formatOptionsHelp(modelsOptions),
  ].join("\n");
}
