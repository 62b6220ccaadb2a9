/**
 * @module answer/answer-chat
 * One whole chat answer through the pipeline, for callers in this process
 * (`urial generate`, `urial ab`): plan, run, collect. The same rendering,
 * budget, stops and cleaning as a `POST /v1/chat/completions`, with typed
 * results and the pipeline's own errors instead of HTTP.
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ChatRequest } from "../openai/chat-request-schema.js";
import { stopReasonOf } from "../prompt/answer-rules.js";
import type { AnswerDeps } from "./answer-deps.js";
import { collectChoices } from "./collect-choices.js";
import { planChatAnswer } from "./plan-chat-answer.js";
import type { PrefixTokenCache } from "./prefix-token-cache.js";
import type { FinishReason, Usage } from "./run-choices.js";
import { startAnswer } from "./start-answer.js";

export interface ChatAnswerChoice {
  content: string;
  finishReason: FinishReason;
  /** The client stop string that ended it, or `urial:<rule>` when the server cut it; null when the model or the budget did. */
  stopReason: string | null;
}

export interface ChatAnswer {
  /** The set the answer rendered (the variant's, inside an experiment). */
  set: ExemplarSet;
  choices: ChatAnswerChoice[];
  usage: Usage;
}

export interface AnswerChatOptions {
  /** Stops the answer. Defaults to none. */
  signal?: AbortSignal;
  /** Keep one across calls so every answer reuses its set's evaluated prefix. */
  prefixTokens?: PrefixTokenCache;
}

/** Answers `request`; throws what the pipeline refuses (`DomainError`, `PromptTooLongError`, …) or what the engine fails with. */
export async function answerChat(deps: AnswerDeps, request: ChatRequest, options: AnswerChatOptions = {}): Promise<ChatAnswer> {
  const plan = planChatAnswer(deps, request, options.prefixTokens ? { prefixTokens: options.prefixTokens } : {});
  const run = await startAnswer(plan, { signal: options.signal ?? new AbortController().signal });
  const choices = await collectChoices(run.events, plan.jobs.length);
  return { set: plan.set, choices: choices.map((choice) => ({ content: choice.text, finishReason: choice.finishReason, stopReason: stopReasonOf(choice.cut) })), usage: run.usage };
}
