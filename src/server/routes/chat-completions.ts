/**
 * @module server/routes/chat-completions
 * `POST /v1/chat/completions`: render the URIAL prompt for the selected
 * exemplar set, generate on the base model, and answer in OpenAI's shape,
 * streaming or not.
 */
import type { Context } from "hono";
import type { GeneratedToken, OutputConstraint } from "../../engine/engine.js";
import { invalidRequest } from "../../openai/api-error.js";
import { chatChunk, chatCompletion, chatUsageChunk, usageBody, type FinishedChatChoice, type ResponseIdentity } from "../../openai/chat-response.js";
import { chatRequestSchema, type ChatRequest } from "../../openai/chat-request-schema.js";
import { combineSystem, conversationFromMessages } from "../../openai/conversation-from-messages.js";
import { toChatLogprobEntries } from "../../openai/logprobs.js";
import { parseRequest, rejectUnsupported } from "../../openai/parse-request.js";
import { stopList } from "../../openai/request-fields.js";
import { toSamplingOptions } from "../../openai/to-sampling-options.js";
import { exemplarExchanges } from "../../catalog/catalog.js";
import { stopReasonOf, urialAnswerPipeline } from "../../prompt/answer-rules.js";
import { renderUrialPrompt } from "../../prompt/render-urial-prompt.js";
import type { AppDeps } from "../app-deps.js";
import { selectChatSet } from "../select-chat-set.js";
import { readJsonBody } from "../read-json-body.js";
import { requireEngine, resolveMaxTokens } from "../require-engine.js";
import { runChoices, type ChoiceJob, type Usage } from "../run-choices.js";
import { respondWithSse } from "../sse.js";
import { checkChatInput } from "../../limits/check-input-size.js";
import { observeChoices } from "../observe-choices.js";
import { primeEvents } from "../prime-events.js";
import { requestLimits } from "../request-limits.js";
import { PrefixTokenCache } from "../prefix-token-cache.js";
import { newResponseId } from "../request-id.js";
import { describeChatPrompt } from "../describe-chat-prompt.js";

const unsupportedChatFields = ["tools", "tool_choice", "functions", "function_call", "logit_bias", "audio", "modalities", "prediction", "web_search_options"];

export function chatCompletionsRoute(deps: AppDeps) {
  const prefixTokens = new PrefixTokenCache();
  return async function chatCompletions(c: Context): Promise<Response> {
    const request = parseRequest(chatRequestSchema, await readJsonBody(c));
    const limits = requestLimits(deps);
    checkChatInput(request.messages, limits);
    rejectUnsupported(request, unsupportedChatFields);
    if ((request.top_logprobs ?? 0) > 0 && request.logprobs !== true) {
      throw invalidRequest("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
    }
    const { set, assignment } = selectChatSet(deps, c, request);
    const record = c.get("record");
    Object.assign(record, { model: request.model, variant: assignment ? `${assignment.experiment.id}/${assignment.variant.name}` : set.name, stream: request.stream === true, input: request.messages });
    const conversation = conversationFromMessages(request.messages);
    const engine = requireEngine(deps);
    const system = combineSystem(set.systemPrompt, conversation.clientSystem, deps.systemMessageMode);
    const exemplars = exemplarExchanges(set);
    const rendered = renderUrialPrompt({ system, exemplars, history: conversation.history, query: conversation.query, template: set.template });
    const prompt = engine.tokenize(rendered.text);
    const maxTokens = resolveMaxTokens(prompt.length, request.max_completion_tokens ?? request.max_tokens, engine.info.contextSize, "messages", limits.maxTokens, () =>
      describeChatPrompt({ engine, catalog: deps.catalog, set, conversation, systemMessageMode: deps.systemMessageMode }),
    );
    const reusablePrefix = prefixTokens.reusablePrefix(engine, rendered.text.slice(0, rendered.prefixLength), prompt);
    const constraint = outputConstraint(request);
    const topLogprobs = request.logprobs === true ? (request.top_logprobs ?? 0) : undefined;
    const jobs: ChoiceJob[] = Array.from({ length: request.n ?? 1 }, (_, index) => ({
      index,
      prompt,
      countPrompt: index === 0,
      options: { maxTokens, sampling: toSamplingOptions(request, index), constraint, topLogprobs, reusablePrefix, promptText: rendered.text },
      pipeline: urialAnswerPipeline({ template: set.template, exemplars, stops: stopList(request.stop) }),
    }));
    const includeReasoning = request.include_reasoning === true;

    const identity: ResponseIdentity = {
      id: newResponseId("chatcmpl"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      systemFingerprint: `fp_${set.hash}`,
      ...(assignment ? { experiment: { id: assignment.experiment.id, variant: assignment.variant.name } } : {}),
    };
    c.header("x-urial-exemplar-set", `${set.name}@${set.version}`);
    if (conversation.clientSystem.trim().length > 0) c.header("x-urial-system-message", deps.systemMessageMode === "ignore" ? "ignored" : deps.systemMessageMode === "replace" ? "replaced" : "appended");

    if (constraint) await engine.prepareConstraint(constraint);
    const clientSignal = c.req.raw.signal;
    // Aborted when the client leaves, at the wall-clock limit, or by a forced shutdown.
    const signal = c.get("requestSignal");
    const slot = await engine.acquire(prompt, signal);
    const usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
    record.usage = usage;
    const events = observeChoices(record, runChoices(slot, jobs, usage, signal));
    const observed = assignment ? deps.experiments!.observe(assignment, events) : events;

    if (request.stream === true) {
      const includeUsage = request.stream_options?.include_usage === true;
      // Failures before the first token get their own status, not a 200 with an error event.
      const primed = await primeEvents(observed, (event) => event.type === "started").catch((error: unknown) => {
        slot.release();
        throw error;
      });
      return respondWithSse(
        c,
        clientSignal,
        async (writer) => {
          try {
            const started = new Set<number>();
            for await (const event of primed) {
              if (!started.has(event.index)) {
                started.add(event.index);
                await writer.send(chatChunk(identity, event.index, { role: "assistant", content: "" }, null, null, includeUsage));
              }
              if (event.type === "started") continue;
              if (event.type === "delta") {
                if (includeReasoning && event.reasoning.length > 0) {
                  await writer.send(chatChunk(identity, event.index, { reasoning_content: event.reasoning }, null, null, includeUsage));
                }
                const logprobs = topLogprobs === undefined ? null : toChatLogprobEntries(event.tokens);
                if (event.text.length > 0 || (logprobs !== null && logprobs.length > 0)) {
                  await writer.send(chatChunk(identity, event.index, { content: event.text }, null, logprobs, includeUsage));
                }
              } else {
                await writer.send(chatChunk(identity, event.index, {}, event.reason, null, includeUsage, stopReasonOf(event.cut)));
              }
            }
            if (includeUsage) await writer.send(chatUsageChunk(identity, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)));
          } finally {
            slot.release();
          }
        },
        (error) => deps.onServerError?.(c.get("requestId"), error),
      );
    }

    const choices: FinishedChatChoice[] = jobs.map(() => ({
      content: "",
      reasoning: includeReasoning ? "" : undefined,
      finishReason: "stop",
      stopReason: null,
      logprobs: topLogprobs === undefined ? null : [],
    }));
    const tokens: GeneratedToken[][] = jobs.map(() => []);
    try {
      for await (const event of observed) {
        const choice = choices[event.index]!;
        if (event.type === "delta") {
          choice.content += event.text;
          if (choice.reasoning !== undefined) choice.reasoning += event.reasoning;
          tokens[event.index]!.push(...event.tokens);
        } else if (event.type === "finish") {
          choice.finishReason = event.reason;
          choice.stopReason = stopReasonOf(event.cut);
        }
      }
    } finally {
      slot.release();
    }
    choices.forEach((choice, index) => {
      if (choice.logprobs !== null) choice.logprobs = toChatLogprobEntries(tokens[index]!);
    });
    return c.json(chatCompletion(identity, choices, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)));
  };
}

function outputConstraint(request: ChatRequest): OutputConstraint | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  const schema = format.json_schema.schema;
  return schema ? { type: "json_schema", schema } : { type: "json_object" };
}
