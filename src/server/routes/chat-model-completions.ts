/**
 * @module server/routes/chat-model-completions
 * `POST /v1/chat/completions` with model `chat` (servers started with
 * `--chat-model`): the chat model answers with its own chat template — the
 * reference a URIAL answer is compared against. It shares the `/v1/shift`
 * analyser's chat model and queue (one generation at a time), samples from the
 * raw distribution at `temperature` (greedy by default, as `urial shift`
 * generates), streams like the URIAL route and stops when the client leaves.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Context } from "hono";
import type { ChatModelAccess } from "../../shift/create-shift-analyser.js";
import { ApiError, invalidRequest } from "../../openai/api-error.js";
import { chatChunk, chatCompletion, chatUsageChunk, usageBody, type ResponseIdentity } from "../../openai/chat-response.js";
import type { ChatRequest } from "../../openai/chat-request-schema.js";
import { conversationFromMessages } from "../../openai/conversation-from-messages.js";
import { stopList } from "../../openai/request-fields.js";
import { visibleAnswerText } from "../../hygiene/visible-answer-text.js";
import type { AppDeps } from "../app-deps.js";
import { primeEvents } from "../../answer/prime-events.js";
import { newResponseId } from "../request-id.js";
import { resolveRequestLimits } from "../../answer/request-limits.js";
import { resolveMaxTokens } from "../../answer/require-engine.js";
import type { Usage } from "../../answer/run-choices.js";
import { respondWithSse } from "../sse.js";

type AnswerEvent = { type: "delta"; text: string } | { type: "finish"; reason: "stop" | "length"; cut: "stop" | null };

export async function chatModelCompletions(c: Context, deps: AppDeps, request: ChatRequest): Promise<Response> {
  if ((request.n ?? 1) > 1) throw invalidRequest("The chat model writes one choice per request: n must be 1.", "n", "unsupported_parameter");
  if (request.logprobs === true) throw invalidRequest("The chat model does not return logprobs; use POST /v1/shift for its token probabilities.", "logprobs", "unsupported_parameter");
  if (request.response_format && request.response_format.type !== "text") {
    throw invalidRequest("The chat model does not enforce response_format; use a URIAL model id for JSON output.", "response_format.type", "unsupported_parameter");
  }
  const analyser = deps.shift?.();
  if (!analyser) {
    throw new ApiError({ status: 503, type: "service_unavailable", message: "The chat model is still loading. Retry shortly.", code: "model_loading", headers: { "retry-after": "2" } });
  }
  const conversation = conversationFromMessages(request.messages);
  const access = analyser.chatModel;
  const prompt = access.render(conversation.query, { system: conversation.clientSystem, history: conversation.history });
  const maxTokens = resolveMaxTokens(prompt.tokens.length, request.max_completion_tokens ?? request.max_tokens, analyser.chat.contextSize, "messages", resolveRequestLimits(deps.limits).maxTokens);
  const record = c.get("record");
  Object.assign(record, { model: request.model, variant: "chat", stream: request.stream === true, input: request.messages });
  const usage: Usage = { promptTokens: prompt.tokens.length, completionTokens: 0, cachedTokens: 0 };
  record.usage = usage;
  const identity: ResponseIdentity = {
    id: newResponseId("chatcmpl"),
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    systemFingerprint: `fp_${createHash("sha256").update(analyser.chat.path).digest("hex").slice(0, 16)}`,
  };
  const options = { maxTokens, temperature: request.temperature ?? 0, ...(request.seed !== null && request.seed !== undefined ? { seed: request.seed } : {}) };
  const events = answerEvents(access, prompt.tokens, options, stopList(request.stop), c.get("requestSignal"), usage);
  const observed = (async function* observe(): AsyncGenerator<AnswerEvent> {
    for await (const event of events) {
      if (event.type === "delta") record.firstTokenAtMs ??= performance.now();
      else record.finishes.push({ reason: event.reason, cut: event.cut });
      yield event;
    }
  })();

  if (request.stream === true) {
    const includeUsage = request.stream_options?.include_usage === true;
    // Failures before the first token (the queue, a time limit) get their own status.
    const primed = await primeEvents(observed, () => true);
    return respondWithSse(
      c,
      c.req.raw.signal,
      async (writer) => {
        await writer.send(chatChunk(identity, 0, { role: "assistant", content: "" }, null, null, includeUsage));
        for await (const event of primed) {
          if (event.type === "delta") await writer.send(chatChunk(identity, 0, { content: event.text }, null, null, includeUsage));
          else await writer.send(chatChunk(identity, 0, {}, event.reason, null, includeUsage, event.cut === "stop" ? "client_stop" : null));
        }
        if (includeUsage) await writer.send(chatUsageChunk(identity, usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens)));
      },
      (error) => deps.onServerError?.(c.get("requestId"), error),
    );
  }
  let content = "";
  let finish: Extract<AnswerEvent, { type: "finish" }> = { type: "finish", reason: "stop", cut: null };
  for await (const event of observed) {
    if (event.type === "delta") content += event.text;
    else finish = event;
  }
  return c.json(
    chatCompletion(
      identity,
      [{ content, finishReason: finish.reason, stopReason: finish.cut === "stop" ? "client_stop" : null, logprobs: null }],
      usageBody(usage.promptTokens, usage.completionTokens, usage.cachedTokens),
    ),
  );
}

/** The answer as text deltas and one finish, generated in the background and handed over as tokens arrive. */
async function* answerEvents(
  access: ChatModelAccess,
  prompt: readonly number[],
  options: { maxTokens: number; temperature: number; seed?: number },
  stops: readonly string[],
  signal: AbortSignal,
  usage: Usage,
): AsyncGenerator<AnswerEvent> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  let sent = "";
  let waiting = "";
  let wake: (() => void) | undefined;
  let outcome: { tokens: readonly number[]; stopReason: string; cachedTokens?: number } | undefined;
  let failure: { error: unknown } | undefined;
  const show = (decoded: string, final: boolean) => {
    const visible = visibleAnswerText(decoded, stops, final);
    if (visible.stopped) stop.abort();
    if (visible.text.length > sent.length && visible.text.startsWith(sent)) {
      waiting += visible.text.slice(sent.length);
      sent = visible.text;
    }
    return visible.stopped;
  };
  const generation = access
    .generate(prompt, {
      ...options,
      signal: stop.signal,
      onToken: (tokens) => {
        usage.completionTokens = tokens.length;
        show(access.decode(tokens), false);
        wake?.();
      },
    })
    .then(
      (result) => {
        outcome = result;
      },
      (error: unknown) => {
        failure = { error };
      },
    )
    .finally(() => wake?.());
  try {
    for (;;) {
      if (waiting.length > 0) {
        const text = waiting;
        waiting = "";
        yield { type: "delta", text };
        continue;
      }
      if (outcome !== undefined || failure !== undefined) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    await generation;
    if (failure !== undefined) throw failure.error;
    if (signal.aborted) throw signal.reason;
    const result = outcome!;
    usage.completionTokens = result.tokens.length;
    usage.cachedTokens = result.cachedTokens ?? 0;
    const stopped = show(access.decode(result.tokens), true);
    if (waiting.length > 0) yield { type: "delta", text: waiting };
    waiting = "";
    yield stopped ? { type: "finish", reason: "stop", cut: "stop" } : { type: "finish", reason: result.stopReason === "length" ? "length" : "stop", cut: null };
  } finally {
    // A consumer that stops reading (the client left) stops the generation too.
    stop.abort();
    signal.removeEventListener("abort", onAbort);
  }
}
