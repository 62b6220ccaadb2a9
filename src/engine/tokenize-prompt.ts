/**
 * @module engine/tokenize-prompt
 * The one place that decides how a prompt becomes tokens: the text tokenized
 * without special tokens, with BOS in front when the model wants one.
 * (node-llama-cpp's `tokenize` never adds BOS; a second BOS would hurt.)
 */
import type { LlamaModel } from "node-llama-cpp";

export function tokenizePrompt(model: LlamaModel, text: string): number[] {
  const tokens: number[] = model.tokenize(text, false);
  const bos = model.tokens.bos;
  return bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
}
