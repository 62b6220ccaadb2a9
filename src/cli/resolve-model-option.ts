/**
 * @module cli/resolve-model-option
 * Every command's `--model` (and `--chat-model`, `--base`, `--chat`) goes
 * through here: a path stays a path; a cached name or an `hf:` URI / URL
 * becomes the cached file, pulled first with progress on stderr.
 */
import { llamaModelFiles } from "../engine/llama-model-files.js";
import { downloadSettingsFrom } from "../models/download-settings.js";
import { ModelFetchError } from "../models/model-fetch-error.js";
import { resolveModel } from "../models/resolve-model.js";
import { createDownloadProgress } from "./download-progress.js";
import type { ProgressOutput } from "./progress-bar.js";

export interface ModelOptionContext {
  modelsDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where progress goes (stderr). */
  output: ProgressOutput;
  signal?: AbortSignal;
  /** The command's own advice for working offline (see `FetchModelOptions.offlineHint`). */
  offlineHint?: string;
}

/** The local GGUF path for a `--model` value; throws `ModelLoadError` with a one-line message. */
export async function resolveModelOption(value: string, context: ModelOptionContext): Promise<string> {
  let settings;
  try {
    settings = downloadSettingsFrom(context.env);
  } catch (error) {
    throw new ModelFetchError(value, (error as Error).message);
  }
  const progress = createDownloadProgress(context.output);
  try {
    const resolved = await resolveModel(value, {
      modelsDir: context.modelsDir,
      files: llamaModelFiles,
      settings,
      onEvent: progress.onEvent,
      signal: context.signal,
      ...(context.offlineHint !== undefined ? { offlineHint: context.offlineHint } : {}),
    });
    return resolved.path;
  } finally {
    progress.end();
  }
}
