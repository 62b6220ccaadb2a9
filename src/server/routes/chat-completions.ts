/**
 * @module server/routes/chat-completions
 * `POST /v1/chat/completions`: parse, plan (`answer/plan-chat-answer`), run,
 * then stream (`server/stream-choices`) or collect into OpenAI's shape.
 */
import type { Context } from "hono";
import { collectChoices } from "../../answer/collect-choices.js";
import { planChatAnswer } from "../../answer/plan-chat-answer.js";
import { PrefixTokenCache } from "../../answer/prefix-token-cache.js";
import { startAnswer } from "../../answer/start-answer.js";
import { chatChunk, chatCompletion, chatUsageChunk, usageBody, type ResponseIdentity } from "../../openai/chat-response.js";
import { chatRequestSchema } from "../../openai/chat-request-schema.js";
import { toChatLogprobEntries } from "../../openai/logprobs.js";
import { parseRequest } from "../../openai/parse-request.js";
import { stopReasonOf } from "../../prompt/answer-rules.js";
import type { AppDeps } from "../app-deps.js";
import { chatModelId } from "../../answer/model-ids.js";
import { chatModelCompletions } from "./chat-model-completions.js";
import { readJsonBody } from "../read-json-body.js";
import { newResponseId } from "../request-id.js";
import { streamChoices } from "../stream-choices.js";

export function chatCompletionsRoute(deps: AppDeps) {
  const prefixTokens = new PrefixTokenCache();
  return async function chatCompletions(c: Context): Promise<Response> {
    const request = parseRequest(chatRequestSchema, await readJsonBody(c));
    // The chat model (`--chat-model`) answers with its own template, not URIAL.
    if (request.model === chatModelId && deps.shift !== undefined && deps.experiments?.find(request.model) === undefined) return chatModelCompletions(c, deps, request);
    const record = c.get("record");
    const plan = planChatAnswer(deps, request, {
      prefixTokens,
      header: (name) => c.req.header(name),
      onSelected: ({ set, assignment }) => {
        if (assignment) {
          c.header("x-urial-experiment", assignment.experiment.id);
          c.header("x-urial-variant", assignment.variant.name);
          if (record !== undefined) deps.experiments?.attach(record, assignment);
        }
        Object.assign(record, {
          model: request.model,
          variant: assignment ? `${assignment.experiment.id}/${assignment.variant.name}` : set.name,
          stream: request.stream === true,
          input: request.messages,
        });
      },
    });
    const { set, assignment, topLogprobs } = plan;
    const identity: ResponseIdentity = {
      id: newResponseId("chatcmpl"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      systemFingerprint: `fp_${set.hash}`,
      ...(assignment ? { experiment: { id: assignment.experiment.id, variant: assignment.variant.name } } : {}),
    };
    c.header("x-urial-exemplar-set", `${set.name}@${set.version}`);
    if (plan.systemMessage !== undefined) c.header("x-urial-system-message", plan.systemMessage);

    // Aborted when the client leaves, at the wall-clock limit, or by a forced shutdown.
    const run = await startAnswer(plan, { signal: c.get("requestSignal"), record, experiments: deps.experiments });

    if (request.stream === true) {
      const includeUsage = request.stream_options?.include_usage === true;
      return streamChoices(c, deps, run, {
        open: (index) => [chatChunk(identity, index, { role: "assistant", content: "" }, null, null, includeUsage)],
        delta: (event) => {
          const chunks: unknown[] = [];
          if (plan.includeReasoning && event.reasoning.length > 0) chunks.push(chatChunk(identity, event.index, { reasoning_content: event.reasoning }, null, null, includeUsage));
          const logprobs = topLogprobs === undefined ? null : toChatLogprobEntries(event.tokens);
          if (event.text.length > 0 || (logprobs !== null && logprobs.length > 0)) chunks.push(chatChunk(identity, event.index, { content: event.text }, null, logprobs, includeUsage));
          return chunks;
        },
        finish: (event) => [chatChunk(identity, event.index, {}, event.reason, null, includeUsage, stopReasonOf(event.cut))],
        ...(includeUsage ? { usage: (usage) => chatUsageChunk(identity, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)) } : {}),
      });
    }

    const choices = await collectChoices(run.events, plan.jobs.length);
    const usage = run.usage;
    return c.json(
      chatCompletion(
        identity,
        choices.map((choice) => ({
          content: choice.text,
          reasoning: plan.includeReasoning ? choice.reasoning : undefined,
          finishReason: choice.finishReason,
          stopReason: stopReasonOf(choice.cut),
          logprobs: topLogprobs === undefined ? null : toChatLogprobEntries(choice.tokens),
        })),
        usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens),
      ),
    );
  };
}
