/**
 * @module cli/pull-command
 * `urial pull <model>...`: download models into the cache (once), verified,
 * with progress on stderr; prints each cached file's path on stdout. Ctrl-C
 * stops a transfer and keeps it for a resume. Exit codes: 0 done, 1 a model
 * failed, 2 bad usage, 130 interrupted.
 */
import { ModelLoadError } from "../models/model-file-check.js";
import { parsePullConfig, pullHelp } from "../config/pull-config.js";
import { resolveModelOption } from "./resolve-model-option.js";
import type { CommandIo } from "./command-io.js";

export async function runPullCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parsePullConfig(argv, env);
  if (!parsed.ok) {
    io.stderr.write(`urial pull: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${pullHelp()}\n`);
    return 0;
  }
  if (parsed.positionals.length === 0) {
    io.stderr.write("urial pull: name a model, e.g. 'urial pull hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf'. Run 'urial pull --help'.\n");
    return 2;
  }
  const modelsDir = parsed.config.modelsDir;
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  try {
    for (const value of parsed.positionals) {
      try {
        const path = await resolveModelOption(value, { modelsDir, env, output: io.stderr, signal: controller.signal, offlineHint: pullOfflineHint(modelsDir) });
        io.stdout.write(`${path}\n`);
      } catch (error) {
        if (!(error instanceof ModelLoadError)) throw error;
        io.stderr.write(`urial pull: ${error.message}\n`);
        return controller.signal.aborted ? 130 : 1;
      }
    }
    return 0;
  } finally {
    process.removeListener("SIGINT", interrupt);
  }
}

/** `pull` has no --model: offline, the advice is that a GGUF already on disk needs no pull at all. */
function pullOfflineHint(modelsDir: string): string {
  return `Check the address and your connection. A GGUF file you already have needs no pull: give its path to 'urial serve --model' or 'urial chat --model'; 'urial models' lists the models already in ${modelsDir}.`;
}
