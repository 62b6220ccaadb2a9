/**
 * @module cli/pull-command
 * `urial pull <model>...`: download models into the cache (once), verified,
 * with progress on stderr; prints each cached file's path on stdout. Ctrl-C
 * stops a transfer and keeps it for a resume. Exit codes: 0 done, 1 a model
 * failed, 2 bad usage, 130 interrupted.
 */
import { parseArgs } from "node:util";
import { ModelLoadError } from "../models/model-file-check.js";
import { defaultModelsDir } from "../models/models-dir.js";
import { resolveModelOption } from "./resolve-model-option.js";
import type { CommandIo } from "./command-io.js";

const help = `Usage: urial pull <model>... [--models-dir DIR]

Download GGUF models into the models cache, verified (size, GGUF header, and
sha256 where the source gives one), once: a second pull finds the cached file.
An interrupted download resumes where it stopped when run again.

  <model>              hf:<user>/<repo>/<file>.gguf   a file in a Hugging Face repository
                       hf:<user>/<repo>:<quant>       the repository's GGUF of that quantization
                       https://…/<file>.gguf          any URL
  --models-dir DIR     the models cache (env URIAL_MODELS_DIR; default ~/.cache/urial/models)
  -h, --help           show this help

Environment: HF_TOKEN (gated or private repositories), HF_ENDPOINT (a hub mirror),
URIAL_CONNECT_TIMEOUT (seconds, default 10), URIAL_DOWNLOAD_STALL_TIMEOUT (seconds, default 30).
Prints the path of each model on stdout; use it, or the file name, as --model.`;

export async function runPullCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { "models-dir": { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    io.stderr.write(`urial pull: ${error instanceof Error ? error.message : String(error)}. Run 'urial pull --help'.\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  if (parsed.positionals.length === 0) {
    io.stderr.write("urial pull: name a model, e.g. 'urial pull hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf'. Run 'urial pull --help'.\n");
    return 2;
  }
  const modelsDir = parsed.values["models-dir"] ?? defaultModelsDir(env);
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
