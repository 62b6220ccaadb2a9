/**
 * @module server/routes/completions
 * `POST /v1/completions`: the raw base model, no URIAL prompt. One choice per
 * prompt × `n`, with legacy logprobs and `echo`.
 */
import type { Context } from "hono";
import type { GeneratedToken } from "../../engine/engine.js";
import { invalidRequest } from "../../openai/api-error.js";
import { usageBody, type ResponseIdentity } from "../../openai/chat-response.js";
import { completionChunk, completionUsageChunk, textCompletion, type FinishedTextChoice } from "../../openai/completion-response.js";
import { completionRequestSchema } from "../../openai/completion-request-schema.js";
import { toCompletionLogprobs } from "../../openai/logprobs.js";
import { parseRequest, rejectUnsupported } from "../../openai/parse-request.js";
import { stopList } from "../../openai/request-fields.js";
import { toSamplingOptions } from "../../openai/to-sampling-options.js";
import type { AppDeps } from "../app-deps.js";
import { checkCompletionModel } from "../model-ids.js";
import { readJsonBody } from "../read-json-body.js";
import { whileWaiting } from "../while-waiting.js";
import { newResponseId } from "../request-id.js";
import { requireEngine, resolveMaxTokens } from "../require-engine.js";
import { runChoices, type ChoiceJob, type Usage } from "../run-choices.js";
import { respondWithSse } from "../sse.js";
import { checkPromptInput } from "../../limits/check-input-size.js";
import { observeChoices } from "../observe-choices.js";
import { primeEvents } from "../prime-events.js";
import { requestLimits } from "../request-limits.js";

export function completionsRoute(deps: AppDeps) {
  return async function completions(c: Context): Promise<Response> {
    const request = parseRequest(completionRequestSchema, await readJsonBody(c));
    const limits = requestLimits(deps);
    checkPromptInput(typeof request.prompt === "string" ? [request.prompt] : request.prompt, limits);
    rejectUnsupported(request, ["suffix", "best_of", "logit_bias"]);
    if (request.echo === true && request.logprobs !== null && request.logprobs !== undefined) {
      throw invalidRequest("'echo' together with 'logprobs' is not supported (prompt tokens are not scored).", "echo", "unsupported_parameter");
    }
    checkCompletionModel(deps.catalog, request.model);
    const record = c.get("record");
    Object.assign(record, { model: request.model, variant: "base", stream: request.stream === true, input: request.prompt });
    const engine = requireEngine(deps);
    const prompts = typeof request.prompt === "string" ? [request.prompt] : request.prompt;
    const n = request.n ?? 1;
    const topLogprobs = request.logprobs ?? undefined;
    const jobs: ChoiceJob[] = [];
    const echoes: string[] = [];
    prompts.forEach((text, promptIndex) => {
      const prompt = engine.tokenize(text);
      if (prompt.length === 0) throw invalidRequest("The prompt is empty and this model has no BOS token to start from.", "prompt", "invalid_value");
      const maxTokens = resolveMaxTokens(prompt.length, request.max_tokens, engine.info.contextSize, "prompt", limits.maxTokens);
      for (let copy = 0; copy < n; copy += 1) {
        jobs.push({
          index: promptIndex * n + copy,
          prompt,
          countPrompt: copy === 0,
          options: { maxTokens, sampling: toSamplingOptions(request, copy), topLogprobs, promptText: text },
          pipeline: { kind: "plain", content: { stops: stopList(request.stop) } },
        });
        echoes.push(request.echo === true ? text : "");
      }
    });
    const identity: ResponseIdentity = {
      id: newResponseId("cmpl"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      systemFingerprint: "fp_base",
    };
    const clientSignal = c.req.raw.signal;
    // Aborted when the client leaves, at the wall-clock limit, or by a forced shutdown.
    const signal = c.get("requestSignal");
    const slot = await whileWaiting(c, engine.acquire(jobs[0]!.prompt, signal), (late) => late.release());
    const usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
    record.usage = usage;
    const events = observeChoices(record, runChoices(slot, jobs, usage, signal));

    if (request.stream === true) {
      const includeUsage = request.stream_options?.include_usage === true;
      // Failures before the first token get their own status, not a 200 with an error event.
      const primed = await primeEvents(events, (event) => event.type === "started").catch((error: unknown) => {
        slot.release();
        throw error;
      });
      return respondWithSse(
        c,
        clientSignal,
        async (writer) => {
          try {
            const offsets = echoes.map((echo) => echo.length);
            const started = new Set<number>();
            for await (const event of primed) {
              if (!started.has(event.index)) {
                started.add(event.index);
                const echo = echoes[event.index]!;
                if (echo.length > 0) await writer.send(completionChunk(identity, event.index, echo, null, null, includeUsage));
              }
              if (event.type === "started") continue;
              if (event.type === "delta") {
                const logprobs = topLogprobs === undefined ? null : toCompletionLogprobs(event.tokens, offsets[event.index]!);
                offsets[event.index]! += event.text.length;
                await writer.send(completionChunk(identity, event.index, event.text, null, logprobs, includeUsage));
              } else {
                await writer.send(completionChunk(identity, event.index, "", event.reason, null, includeUsage));
              }
            }
            if (includeUsage) await writer.send(completionUsageChunk(identity, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)));
          } finally {
            slot.release();
          }
        },
        (error) => deps.onServerError?.(c.get("requestId"), error),
      );
    }

    const texts = echoes.slice();
    const finishes: ("stop" | "length")[] = jobs.map(() => "stop");
    const tokens: GeneratedToken[][] = jobs.map(() => []);
    try {
      for await (const event of events) {
        if (event.type === "delta") {
          texts[event.index] += event.text;
          tokens[event.index]!.push(...event.tokens);
        } else if (event.type === "finish") finishes[event.index] = event.reason;
      }
    } finally {
      slot.release();
    }
    const choices: FinishedTextChoice[] = jobs.map((job) => ({
      text: texts[job.index]!,
      finishReason: finishes[job.index]!,
      logprobs: topLogprobs === undefined ? null : toCompletionLogprobs(tokens[job.index]!, echoes[job.index]!.length),
    }));
    return c.json(textCompletion(identity, choices, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)));
  };
}
