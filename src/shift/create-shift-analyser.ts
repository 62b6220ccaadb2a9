/**
 * @module shift/create-shift-analyser
 * A model pair ready for analysis: the tokenizers checked once, and calls
 * queued so that the models evaluate one prompt at a time (the CLI runs them
 * in a loop, the HTTP route may receive them at once).
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ScoringModelInfo } from "../engine/scoring-model.js";
import { analysePrompt, type ShiftModels, type ShiftOptions, type ShiftPrompt } from "./analyse-prompt.js";
import { checkSameTokenizer } from "./check-same-tokenizer.js";
import { renderBaseContexts } from "./render-base-contexts.js";
import { ShiftInputError } from "./shift-input-error.js";
import type { PromptShift } from "./shift-schema.js";

export interface ShiftAnalyser {
  readonly base: ScoringModelInfo;
  readonly chat: ScoringModelInfo;
  /** Analyses one prompt; concurrent calls wait their turn. */
  analyse(prompt: ShiftPrompt, options: ShiftOptions): Promise<PromptShift>;
  /** How many calls are running or waiting. */
  readonly pending: number;
  /**
   * Throws `ShiftInputError` when the URIAL context of `set` leaves the base
   * model no room for an answer (check once per set, before any work).
   */
  checkExemplarSet(set: Pick<ExemplarSet, "name" | "systemPrompt" | "exemplars">): void;
}

/**
 * Checks that the pair shares a tokenizer and that the chat model has a chat
 * template (throws `ShiftInputError` otherwise) and returns the analyser. The base model needs 2 lanes, the chat model 1.
 */
export function createShiftAnalyser(models: ShiftModels): ShiftAnalyser {
  checkSameTokenizer(models.base, models.chat);
  if (models.chat.info.chatTemplate === null) {
    throw new ShiftInputError(
      `the chat model (${models.chat.info.path}) has no chat template in its GGUF metadata; give one with --chat-template (a Jinja template, or a layout such as 'User: {query}\\nAssistant:')`,
    );
  }
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    base: models.base.info,
    chat: models.chat.info,
    get pending() {
      return pending;
    },
    checkExemplarSet(set) {
      const tokens = models.base.tokenize(renderBaseContexts(set, "?").urial).length;
      // Leave at least a short query and a few answer tokens.
      if (tokens + 16 > models.base.info.contextSize) {
        throw new ShiftInputError(
          `the exemplar set '${set.name}' renders to ${tokens} tokens, which leaves no room for a query and an answer in the base model's ${models.base.info.contextSize}-token context; use a smaller set or a larger --context-size`,
          "exemplars",
          "context_length_exceeded",
        );
      }
    },
    analyse(prompt, options) {
      pending += 1;
      const run = queue.then(() => analysePrompt(models, prompt, options));
      queue = run
        .catch(() => undefined)
        .finally(() => {
          pending -= 1;
        });
      return run;
    },
  };
}
