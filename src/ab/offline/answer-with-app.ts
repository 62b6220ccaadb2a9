/**
 * @module ab/offline/answer-with-app
 * Generates one answer of `urial ab` through the server's own pipeline — the
 * same URIAL rendering, stops, cleaning and sampling as live traffic — by
 * calling the in-process app (`app.request`), not by re-implementing any of
 * it. A request the server refuses (a prompt too long for the context) is an
 * answer with an error, counted in the report; an unknown model is a mistake
 * in the command and a server failure stops the run (neither is cached).
 */
import type { AbAnswer } from "./ab-results.js";
import type { SuiteMessage } from "../../suite/read-suite.js";

/** `app.request` of a hono app, or `fetch` against a base URL. */
export type AppRequest = (path: string, init: RequestInit) => Response | Promise<Response>;

export interface AnswerRequest {
  model: string;
  messages: readonly SuiteMessage[];
  seed: number;
  temperature: number;
  maxTokens: number;
}

/** A model id the server does not have: stop the run. */
export class UnknownVariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownVariantError";
  }
}

/** The server failed (5xx): the run stops, and the answer is not cached as if it were the variant's. */
export class AnswerFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnswerFailedError";
  }
}

/** One chat completion through the app. */
export async function answerWithApp(request: AppRequest, input: AnswerRequest): Promise<AbAnswer> {
  const response = await request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: input.model, messages: input.messages, seed: input.seed, temperature: input.temperature, max_tokens: input.maxTokens }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    error?: { message?: string; code?: string };
    choices?: { message?: { content?: string }; finish_reason?: "stop" | "length"; stop_reason?: string | null }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const choice = body.choices?.[0];
  if (!response.ok || choice === undefined) {
    if (body.error?.code === "model_not_found") throw new UnknownVariantError(body.error.message ?? `unknown model '${input.model}'`);
    if (response.status >= 500) throw new AnswerFailedError(`${input.model} could not answer (HTTP ${response.status}: ${body.error?.message ?? "no message"})`);
    return { content: "", finishReason: null, stopReason: null, promptTokens: null, completionTokens: null, error: body.error?.message ?? `HTTP ${response.status}`, seed: input.seed };
  }
  return {
    content: choice.message?.content ?? "",
    finishReason: choice.finish_reason ?? null,
    stopReason: choice.stop_reason ?? null,
    promptTokens: body.usage?.prompt_tokens ?? null,
    completionTokens: body.usage?.completion_tokens ?? null,
    error: null,
    seed: input.seed,
  };
}
