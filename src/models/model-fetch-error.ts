/**
 * @module models/model-fetch-error
 * A model that cannot be found, fetched or verified. It is a
 * `ModelLoadError`, so every command that already reports a bad model path in
 * one line reports these the same way.
 */
import { ModelLoadError } from "./model-file-check.js";

/** One-line failure of resolving, downloading or verifying a model; `reference` is what the user typed. */
export class ModelFetchError extends ModelLoadError {
  /** True for a transfer that broke in a way a fresh download may not repeat (the size came out wrong). */
  readonly retryable: boolean;

  constructor(reference: string, problem: string, retryable = false) {
    super(reference, problem);
    this.name = "ModelFetchError";
    this.retryable = retryable;
  }
}

/** How to carry on without the network; ends every "cannot reach" message. */
export function offlineHint(modelsDir: string): string {
  return `Offline? Pass a local GGUF file instead: --model ./path/to/model.gguf (or URIAL_MODEL=./path/to/model.gguf); 'urial models' lists the models already in ${modelsDir}.`;
}
