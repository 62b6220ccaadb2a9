/**
 * @module shift/check-same-tokenizer
 * Teacher forcing compares the two models token by token, which only means
 * something when they share the tokenizer. Checked before any generation:
 * the vocabulary size and the tokenization of a probe text that mixes
 * scripts, digits, code, whitespace and emoji.
 */
import type { ScoringModel } from "../engine/scoring-model.js";
import { ShiftInputError } from "./shift-input-error.js";

/** Text that different tokenizers almost never split the same way. */
export const tokenizerProbe = "Hello, world! The quick brown fox jumps over the lazy dog. 1234567890 + 3.14159\n\tdef area(r):  return r ** 2  # ok?\nÇa va? «Grüße» — 你好，世界 — привет 🙂";

/** Throws `ShiftInputError` when `base` and `chat` do not share a tokenizer. */
export function checkSameTokenizer(base: Pick<ScoringModel, "info" | "tokenize">, chat: Pick<ScoringModel, "info" | "tokenize">): void {
  const pair = `the base model (${base.info.path}) and the chat model (${chat.info.path})`;
  if (base.info.vocabularySize !== chat.info.vocabularySize) {
    throw new ShiftInputError(
      `${pair} do not share a tokenizer: their vocabularies have ${base.info.vocabularySize} and ${chat.info.vocabularySize} tokens. The shift analysis needs a base model and its own chat/instruct twin.`,
    );
  }
  const baseTokens = base.tokenize(tokenizerProbe);
  const chatTokens = chat.tokenize(tokenizerProbe);
  const length = Math.max(baseTokens.length, chatTokens.length);
  for (let index = 0; index < length; index += 1) {
    if (baseTokens[index] !== chatTokens[index]) {
      throw new ShiftInputError(
        `${pair} do not share a tokenizer: they tokenize a probe text differently (from token ${index + 1}: ${baseTokens[index] ?? "end"} vs ${chatTokens[index] ?? "end"}). The shift analysis needs a base model and its own chat/instruct twin.`,
      );
    }
  }
}
