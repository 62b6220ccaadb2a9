/**
 * @module server/routes/completions
 * `POST /v1/completions`: the raw base model, no URIAL prompt. Parse, plan
 * (`answer/plan-text-completion`), run, then stream or collect; one choice
 * per prompt × `n`, with legacy logprobs and `echo`.
 */
import type { Context } from "hono";
import { collectChoices } from "../../answer/collect-choices.js";
import { planTextCompletion } from "../../answer/plan-text-completion.js";
import { startAnswer } from "../../answer/start-answer.js";
import { usageBody, type ResponseIdentity } from "../../openai/chat-response.js";
import { completionChunk, completionUsageChunk, textCompletion } from "../../openai/completion-response.js";
import { completionRequestSchema } from "../../openai/completion-request-schema.js";
import { toCompletionLogprobs } from "../../openai/logprobs.js";
import { parseRequest } from "../../openai/parse-request.js";
import type { AppDeps } from "../app-deps.js";
import { readJsonBody } from "../read-json-body.js";
import { newResponseId } from "../request-id.js";
import { streamChoices } from "../stream-choices.js";

export function completionsRoute(deps: AppDeps) {
  return async function completions(c: Context): Promise<Response> {
    const request = parseRequest(completionRequestSchema, await readJsonBody(c));
    const record = c.get("record");
    const plan = planTextCompletion(deps, request, () => Object.assign(record, { model: request.model, variant: "base", stream: request.stream === true, input: request.prompt }));
    const { echoes, topLogprobs } = plan;
    const identity: ResponseIdentity = {
      id: newResponseId("cmpl"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      systemFingerprint: "fp_base",
    };
    // Aborted when the client leaves, at the wall-clock limit, or by a forced shutdown.
    const run = await startAnswer(plan, { signal: c.get("requestSignal"), record });

    if (request.stream === true) {
      const includeUsage = request.stream_options?.include_usage === true;
      // Logprob text offsets continue after the echoed prompt.
      const offsets = echoes.map((echo) => echo.length);
      return streamChoices(c, deps, run, {
        open: (index) => (echoes[index]!.length > 0 ? [completionChunk(identity, index, echoes[index]!, null, null, includeUsage)] : []),
        delta: (event) => {
          const logprobs = topLogprobs === undefined ? null : toCompletionLogprobs(event.tokens, offsets[event.index]!);
          offsets[event.index]! += event.text.length;
          return [completionChunk(identity, event.index, event.text, null, logprobs, includeUsage)];
        },
        finish: (event) => [completionChunk(identity, event.index, "", event.reason, null, includeUsage)],
        ...(includeUsage ? { usage: (usage) => completionUsageChunk(identity, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)) } : {}),
      });
    }

    const choices = await collectChoices(run.events, plan.jobs.length);
    const usage = run.usage;
    return c.json(
      textCompletion(
        identity,
        choices.map((choice) => ({
          text: echoes[choice.index]! + choice.text,
          finishReason: choice.finishReason,
          logprobs: topLogprobs === undefined ? null : toCompletionLogprobs(choice.tokens, echoes[choice.index]!.length),
        })),
        usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens),
      ),
    );
  };
}
