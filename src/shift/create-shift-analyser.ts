/**
 * @module shift/create-shift-analyser
 * A model pair ready for analysis: the tokenizers checked once, and calls
 * queued so that the models evaluate one prompt at a time (the CLI runs them
 * in a loop, the HTTP route may receive them at once).
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ChatPrompt, ChatPromptContext, GenerateAnswerOptions, GeneratedAnswer, ScoringModelInfo } from "../engine/scoring-model.js";
import { analysePrompt, chatLane, type ShiftModels, type ShiftOptions, type ShiftPrompt } from "./analyse-prompt.js";
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
  /** The chat model as a chat endpoint (model id `chat`), sharing the analyses' queue. */
  readonly chatModel: ChatModelAccess;
}

/** What the `chat` model id needs from the chat model. */
export interface ChatModelAccess {
  /** The prompt for `query` after `context`, with the model's own template. */
  render(query: string, context?: ChatPromptContext): ChatPrompt;
  /** Generates an answer; waits for running analyses (the model does one thing at a time). */
  generate(prompt: readonly number[], options: GenerateAnswerOptions): Promise<GeneratedAnswer>;
  /** The answer's text, end-of-generation tokens left out. */
  decode(tokens: readonly number[]): string;
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
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    pending += 1;
    const run = queue.then(work);
    queue = run
      .catch(() => undefined)
      .finally(() => {
        pending -= 1;
      });
    return run;
  };
  const chat = models.chat;
  return {
    chatModel: {
      render: (query, context) => chat.chatPrompt(query, context),
      // A client that left while queued costs nothing: the aborted generation returns at once.
      generate: (prompt, options) => enqueue(() => chat.generate(chatLane, prompt, options)),
      decode: (tokens) => chat.detokenize(tokens.filter((token) => !chat.isEndOfGeneration(token))),
    },
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
      return enqueue(() => analysePrompt(models, prompt, options));
    },
  };
}
