/**
 * @module test/exemplar-search/support/style-learning-pair
 * A fake base/chat pair where exemplars matter, for the search's layers above
 * the engine: the chat model is a seeded bigram fake; the base model reads an
 * answer with the distribution (1 − w)·base + w·chat, where w is the share of
 * exemplar answers in its context that carry the chat model's "style"
 * (contain `styleMarker`). Zero-shot and the system prompt alone have w = 0;
 * a set of only styled exemplars makes the base read exactly like the chat
 * model (its first answer token included). Teacher-forced calls and lane reuse come from the underlying fake.
 */
import type { ScoringModel } from "../../../src/engine/scoring-model.js";
import { createFakeScoringModel } from "../../shift/support/fake-scoring-model.js";

export const styleMarker = "Good question!";

export function createStyleLearningPair(options: { contextSize?: number } = {}) {
  const chat = createFakeScoringModel({ seed: 11, name: "fake-chat", contextSize: options.contextSize ?? 4096, lanes: 1, eosAfter: 24 });
  const inner = createFakeScoringModel({ seed: 29, name: "fake-base", contextSize: options.contextSize ?? 4096, lanes: 1, chatTemplate: false });
  const marker = inner.tokenizeContinuation(styleMarker);
  const answerHeader = inner.tokenizeContinuation("# Answer:");
  // What the chat model's first answer token follows in its own prompt (the end of "Assistant:").
  const chatPromptEnd = chat.chatPrompt("?").tokens.at(-1)!;
  const count = (tokens: readonly number[], needle: readonly number[]) => {
    let found = 0;
    for (let start = 0; start + needle.length <= tokens.length; start += 1) {
      if (needle.every((token, offset) => tokens[start + offset] === token)) found += 1;
    }
    return found;
  };
  const base: ScoringModel = {
    ...inner,
    async teacherForce(lane, context, answer, onPosition) {
      // Every answer block but the open one is an exemplar's.
      const exemplars = count(context, answerHeader) - 1;
      const weight = exemplars <= 0 ? 0 : Math.min(1, count(context, marker) / exemplars);
      const mixed = new Float32Array(inner.info.vocabularySize);
      return inner.teacherForce(lane, context, answer, (index, probabilities) => {
        const previous = index === 0 ? chatPromptEnd : answer[index - 1]!;
        const styled = chat.distributionAfter(previous, index);
        for (let id = 0; id < mixed.length; id += 1) mixed[id] = (1 - weight) * probabilities[id]! + weight * styled[id]!;
        onPosition(index, mixed);
      });
    },
  };
  return { base, chat, inner };
}
