/**
 * @module answer/plan-chat-answer
 * The first half of the answer pipeline for a chat request, in order: check
 * the input size and fields, choose the exemplar set (or the experiment
 * variant), render the URIAL prompt, tokenize it and plan the token budget,
 * then lay out one job per choice (`n`). No transport, no generation: the
 * plan is data that `start-answer` runs and the HTTP routes or the CLI read.
 */
import type { ExperimentAssignment } from "../ab/online/experiment-registry.js";
import type { ExemplarSet } from "../catalog/catalog.js";
import type { Engine, OutputConstraint } from "../engine/engine.js";
import { invalidInput } from "../errors/domain-error.js";
import type { ChatRequest } from "../openai/chat-request-schema.js";
import { rejectUnsupported } from "../openai/parse-request.js";
import { stopList } from "../openai/request-fields.js";
import { checkJsonSchemaBounds } from "../openai/json-schema-bounds.js";
import { toSamplingOptions } from "../openai/to-sampling-options.js";
import { urialAnswerPipeline } from "../prompt/answer-rules.js";
import { renderChatRequest } from "./render-chat-request.js";
import type { AnswerDeps } from "./answer-deps.js";
import { checkChatInput } from "./check-input-size.js";
import type { PrefixTokenCache } from "./prefix-token-cache.js";
import { resolveRequestLimits } from "./request-limits.js";
import { requireEngine, resolveMaxTokens } from "./require-engine.js";
import { describeChatPrompt } from "./describe-chat-prompt.js";
import type { ChoiceJob } from "./run-choices.js";
import { selectChatSet, type ChatSetChoice } from "./select-chat-set.js";

const unsupportedChatFields = ["tools", "tool_choice", "functions", "function_call", "logit_bias", "audio", "modalities", "prediction", "web_search_options"];

/** What a chat request became: everything the run and the response need. */
export interface ChatAnswerPlan {
  engine: Engine;
  set: ExemplarSet;
  /** The request's place in an experiment; undefined outside experiments. */
  assignment: ExperimentAssignment | undefined;
  /** One job per choice, in index order. */
  jobs: ChoiceJob[];
  /** Grammar for `response_format`, prepared before the run. */
  constraint: OutputConstraint | undefined;
  /** Top alternatives per token when logprobs were asked for; undefined otherwise. */
  topLogprobs: number | undefined;
  /** Send the model's thoughts as `reasoning_content`. */
  includeReasoning: boolean;
  /** What happened to a client system message (undefined when the request had none). */
  systemMessage: "appended" | "replaced" | "ignored" | undefined;
}

export interface PlanChatOptions {
  /** Tokenized fixed prefixes, so the engine can reuse their state. Defaults to none (no reuse hint). */
  prefixTokens?: PrefixTokenCache;
  /** Reads a request header (the experiment's variant override). */
  header?: (name: string) => string | undefined;
  /** Called as soon as the set (or variant) is chosen, before the checks that may still refuse the request. */
  onSelected?: (choice: ChatSetChoice) => void;
}

/** Plans a parsed chat request; throws domain errors (`errors/domain-error`, `PromptTooLongError`) for what it refuses. */
export function planChatAnswer(deps: AnswerDeps, parsed: ChatRequest, options: PlanChatOptions = {}): ChatAnswerPlan {
  const limits = resolveRequestLimits(deps.limits);
  checkChatInput(parsed.messages, limits);
  rejectUnsupported(parsed, unsupportedChatFields);
  if ((parsed.top_logprobs ?? 0) > 0 && parsed.logprobs !== true) {
    throw invalidInput("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
  }
  const choice = selectChatSet(deps, parsed, options.header);
  options.onSelected?.(choice);
  const { set, assignment, sampling } = choice;
  // The variant's sampling wins over the request's: the arms differ only by what the experiment says.
  const request: ChatRequest = { ...parsed, ...Object.fromEntries(Object.entries(sampling).filter(([, value]) => value !== undefined)) };
  const { conversation, exemplars, rendered } = renderChatRequest(set, request.messages, deps.systemMessageMode);
  const engine = requireEngine(deps.engine());
  const prompt = engine.tokenize(rendered.text);
  const maxTokens = resolveMaxTokens(prompt.length, request.max_completion_tokens ?? request.max_tokens, engine.info.contextSize, "messages", limits.maxTokens, () =>
    describeChatPrompt({ engine, catalog: deps.catalog, set, conversation, systemMessageMode: deps.systemMessageMode }),
  );
  const reusablePrefix = options.prefixTokens?.reusablePrefix(engine, rendered.text.slice(0, rendered.prefixLength), prompt);
  const constraint = outputConstraint(request);
  const topLogprobs = request.logprobs === true ? (request.top_logprobs ?? 0) : undefined;
  const jobs: ChoiceJob[] = Array.from({ length: request.n ?? 1 }, (_, index) => ({
    index,
    prompt,
    countPrompt: index === 0,
    options: {
      maxTokens,
      sampling: toSamplingOptions(request, index),
      constraint,
      topLogprobs,
      ...(reusablePrefix !== undefined ? { reusablePrefix } : {}),
      promptText: rendered.text,
      promptPrefixChars: rendered.prefixLength,
    },
    pipeline: urialAnswerPipeline({ template: set.template, exemplars, stops: stopList(request.stop) }),
  }));
  const systemMessage = conversation.clientSystem.trim().length === 0 ? undefined : deps.systemMessageMode === "ignore" ? "ignored" : deps.systemMessageMode === "replace" ? "replaced" : "appended";
  return { engine, set, assignment, jobs, constraint, topLogprobs, includeReasoning: request.include_reasoning === true, systemMessage };
}

function outputConstraint(request: ChatRequest): OutputConstraint | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  const schema = format.json_schema.schema;
  if (!schema) return { type: "json_object" };
  const tooLarge = checkJsonSchemaBounds(schema);
  if (tooLarge) throw tooLarge;
  return { type: "json_schema", schema };
}
