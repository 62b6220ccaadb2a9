/**
 * @module answer/collect-choices
 * Runs a request's choice events to the end and keeps each choice whole:
 * its text, its thoughts, how it finished and its tokens (for logprobs). The
 * non-streaming answer of both routes, and of `urial generate` and `urial ab`.
 */
import type { GeneratedToken } from "../engine/engine.js";
import type { CutReason } from "../hygiene/completion-text.js";
import type { ChoiceEvent, FinishReason } from "./run-choices.js";

export interface CollectedChoice {
  index: number;
  text: string;
  reasoning: string;
  finishReason: FinishReason;
  /** Why the server cut the text, when it did. */
  cut: CutReason | undefined;
  /** The tokens of `text`, with their logprobs. */
  tokens: GeneratedToken[];
}

/** Consumes `events` (so the run's sequence is released) and returns `count` choices in index order. */
export async function collectChoices(events: AsyncIterable<ChoiceEvent>, count: number): Promise<CollectedChoice[]> {
  const choices: CollectedChoice[] = Array.from({ length: count }, (_, index) => ({ index, text: "", reasoning: "", finishReason: "stop", cut: undefined, tokens: [] }));
  for await (const event of events) {
    const choice = choices[event.index]!;
    if (event.type === "delta") {
      choice.text += event.text;
      choice.reasoning += event.reasoning;
      choice.tokens.push(...event.tokens);
    } else if (event.type === "finish") {
      choice.finishReason = event.reason;
      choice.cut = event.cut;
    }
  }
  return choices;
}
