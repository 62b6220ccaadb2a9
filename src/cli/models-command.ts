/**
 * @module cli/models-command
 * `urial models` lists the models cache (size, architecture, parameters,
 * context length, base or chat, source); `urial models rm NAME...` deletes
 * models (and partial downloads) from it.
 */
import { modelsHelp, parseModelsConfig } from "../config/models-config.js";
import { inspectGguf } from "../engine/llama-model-files.js";
import { formatBytes } from "../models/format-bytes.js";
import { formatModelsTable } from "../models/format-models-table.js";
import { listCachedModels } from "../models/list-cached-models.js";
import { removeCachedModel } from "../models/remove-cached-model.js";
import type { CommandIo } from "./command-io.js";

export async function runModelsCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseModelsConfig(argv, env);
  if (!parsed.ok) {
    io.stderr.write(`urial models: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${modelsHelp()}\n`);
    return 0;
  }
  const { modelsDir, json } = parsed.config;
  const [action, ...names] = parsed.positionals;
  if (action === undefined || action === "list" || action === "ls") {
    const listing = await listCachedModels(modelsDir, inspectGguf);
    io.stdout.write(json ? `${JSON.stringify({ modelsDir, ...listing }, null, 2)}\n` : formatModelsTable(listing, modelsDir));
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
