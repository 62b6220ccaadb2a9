/**
 * @module cli/models-command
 * `urial models` lists the models cache (size, architecture, parameters,
 * context length, base or chat, source); `urial models rm NAME...` deletes
 * models (and partial downloads) from it.
 */
import { parseArgs } from "node:util";
import { inspectGguf } from "../engine/llama-model-files.js";
import { formatBytes } from "../models/format-bytes.js";
import { formatModelsTable } from "../models/format-models-table.js";
import { listCachedModels } from "../models/list-cached-models.js";
import { defaultModelsDir } from "../models/models-dir.js";
import { removeCachedModel } from "../models/remove-cached-model.js";
import type { CommandIo } from "./command-io.js";

const help = `Usage: urial models [--models-dir DIR] [--json]
       urial models rm NAME... [--models-dir DIR]

List the models cache: name (what --model takes), size, architecture, parameters,
training context length, kind (base, or chat when the GGUF has a chat template)
and source; or remove models from it.

  --models-dir DIR     the models cache (env URIAL_MODELS_DIR; default ~/.cache/urial/models)
  --json               the list as JSON
  -h, --help           show this help`;

export async function runModelsCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { "models-dir": { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    io.stderr.write(`urial models: ${error instanceof Error ? error.message : String(error)}. Run 'urial models --help'.\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  const modelsDir = parsed.values["models-dir"] ?? defaultModelsDir(env);
  const [action, ...names] = parsed.positionals;
  if (action === undefined || action === "list" || action === "ls") {
    const listing = await listCachedModels(modelsDir, inspectGguf);
    io.stdout.write(parsed.values.json === true ? `${JSON.stringify({ modelsDir, ...listing }, null, 2)}\n` : formatModelsTable(listing, modelsDir));
    return 0;
  }
  if (action !== "rm" && action !== "remove") {
    io.stderr.write(`urial models: unknown action '${action}'; use 'urial models' to list or 'urial models rm NAME' to remove.\n`);
    return 2;
  }
  if (names.length === 0) {
    io.stderr.write("urial models rm: name the model to remove, as 'urial models' lists it.\n");
    return 2;
  }
  let code = 0;
  for (const name of names) {
    const removed = await removeCachedModel(modelsDir, name);
    if (removed === undefined) {
      io.stderr.write(`urial models rm: no model named '${name}' in ${modelsDir} ('urial models' lists them)\n`);
      code = 1;
    } else io.stdout.write(`removed ${removed.name} (${formatBytes(removed.bytes)})\n`);
  }
  return code;
}
