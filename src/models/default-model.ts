/**
 * @module models/default-model
 * The base model `urial serve` uses when no `--model` is given, so `npm start`
 * works out of the box on a machine with internet. `URIAL_DEFAULT_MODEL`
 * replaces it (tests point it at a loopback server).
 */

/** SmolLM2-135M (the pretrained base, not -Instruct), Q4_K_M, from the llama.cpp org's own GGUF repository. */
export const defaultBaseModel = {
  uri: "hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf",
  description: "SmolLM2-135M base (Hugging Face TB), Q4_K_M GGUF, about 101 MB",
  license: "Apache-2.0",
} as const;

/** The model to serve when none is given: `URIAL_DEFAULT_MODEL`, else {@link defaultBaseModel}. */
export function defaultModelReference(env: Readonly<Record<string, string | undefined>>): string {
  return env.URIAL_DEFAULT_MODEL || defaultBaseModel.uri;
}
