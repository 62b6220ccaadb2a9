/**
 * @module ab/judge/openai-judge
 * A judge at any OpenAI-compatible chat endpoint (a hosted model, vLLM,
 * llama-server, another urial server): `POST {url}/chat/completions`. A busy
 * or failing endpoint (429, 5xx, no connection) is retried a few times with
 * backoff; then, or at once for other HTTP errors (401, 404, …), the judge is
 * unavailable and the run stops. A request with a schema asks for
 * `response_format: {type: "json_schema"}`; an endpoint that refuses it
 * (400/422 where the same request without it is accepted) is asked without
 * it from then on — its replies are still parsed and checked, as before.
 */
import { JudgeUnavailableError, type JudgeBackend, type JudgeOutputConstraint, type JudgeRequest } from "./judge-backend.js";

export interface OpenAiJudgeOptions {
  /** Base URL; `http://host:port` gets `/v1` appended, a URL with a path is used as it is. */
  url: string;
  /** The model to ask. Defaults to the first model the endpoint lists. */
  model?: string;
  /** Sent as `Authorization: Bearer …`. */
  apiKey?: string;
  /** Per request. Defaults to 120 s. */
  timeoutMs?: number;
  /** Attempts for a busy or failing endpoint. Defaults to 4. */
  attempts?: number;
  /** First backoff; doubled per attempt. Defaults to 500 ms. */
  backoffMs?: number;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** `http://host:port` → `http://host:port/v1`; anything with a path stays, minus a trailing slash. */
export function judgeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JudgeUnavailableError(`'${url}' is not a URL (give an OpenAI-compatible base URL such as http://127.0.0.1:8081/v1, or 'local')`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new JudgeUnavailableError(`'${url}' must be an http or https URL`);
  const path = parsed.pathname.replace(/\/+$/, "");
  parsed.pathname = path.length === 0 ? "/v1" : path;
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/+$/, "");
}

/** Connects to the endpoint (asking for its models when no model is given). */
export async function connectOpenAiJudge(options: OpenAiJudgeOptions): Promise<JudgeBackend> {
  const base = judgeBaseUrl(options.url);
  const fetchImpl = options.fetch ?? fetch;
  const headers: Record<string, string> = { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 500;

  /** Thrown for a 400/422 when the caller may try the request in another form. */
  class RefusedRequest extends Error {}
  const send = async (path: string, init: RequestInit, refusable = false): Promise<unknown> => {
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}${path}`, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        last = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : error.cause instanceof Error ? error.cause.message : error.message) : String(error);
        await pause(backoffMs * 2 ** (attempt - 1), attempt < attempts);
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text);
        } catch {
          throw new JudgeUnavailableError(`${base}${path} did not answer with JSON (HTTP ${response.status})`);
        }
      }
      last = `HTTP ${response.status}: ${errorMessage(text)}`;
      if (refusable && (response.status === 400 || response.status === 422)) throw new RefusedRequest(last);
      if (response.status !== 429 && response.status < 500) throw new JudgeUnavailableError(`${base}${path} refused the request (${last})`);
      await pause(backoffMs * 2 ** (attempt - 1), attempt < attempts);
    }
    throw new JudgeUnavailableError(`${base}${path} failed ${attempts} times (${last})`);
  };

  let model = options.model;
  if (model === undefined) {
    const listed = (await send("/models", { method: "GET" }).catch((error: unknown) => {
      // Unreachable is not a missing model name: --judge-model would not help, the URL or the server would.
      throw new JudgeUnavailableError(
        `cannot list the models at ${base} (${error instanceof Error ? error.message : String(error)}); check that the judge server is running and that --judge (or URIAL_JUDGE) is its OpenAI-compatible base URL, e.g. http://127.0.0.1:8081/v1`,
      );
    })) as { data?: { id?: unknown }[] };
    const first = listed.data?.find((entry) => typeof entry.id === "string")?.id;
    if (typeof first !== "string") throw new JudgeUnavailableError(`${base}/models lists no model; pass --judge-model`);
    model = first;
  }
  const judgeModel = model;
  let constraint: JudgeOutputConstraint = "untried";
  return {
    description: { kind: "remote", model: judgeModel, url: base, identity: `remote ${base} ${judgeModel}` },
    get outputConstraint() {
      return constraint;
    },
    async complete(request: JudgeRequest): Promise<string> {
      const body = {
        model: judgeModel,
        messages: [
          { role: "system", content: request.system },
          { role: "user", content: request.user },
        ],
        temperature: request.temperature,
        seed: request.seed,
        max_tokens: request.maxTokens,
      };
      const post = (payload: object, refusable = false) => send("/chat/completions", { method: "POST", body: JSON.stringify(payload) }, refusable);
      let reply: { choices?: { message?: { content?: unknown } }[] };
      if (request.schema !== undefined && constraint !== "none") {
        const constrained = { ...body, response_format: { type: "json_schema", json_schema: { name: request.schema.name, strict: true, schema: request.schema.schema } } };
        try {
          reply = (await post(constrained, constraint === "untried")) as typeof reply;
          constraint = "json_schema";
        } catch (error) {
          if (!(error instanceof RefusedRequest)) throw error;
          // Refused with response_format: accepted without it means the endpoint does not support it.
          try {
            reply = (await post(body)) as typeof reply;
          } catch (second) {
            if (second instanceof JudgeUnavailableError) throw new JudgeUnavailableError(`${second.message} (with response_format: ${error.message})`);
            throw second;
          }
          constraint = "none";
        }
      } else reply = (await post(body)) as typeof reply;
      const content = reply.choices?.[0]?.message?.content;
      return typeof content === "string" ? content : "";
    },
    async dispose() {},
  };
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof body.error === "string" ? body.error : body.error?.message;
    if (typeof message === "string") return message.slice(0, 300);
  } catch {
    // Not JSON: show the start of the text.
  }
  return text.slice(0, 300);
}

function pause(ms: number, wait: boolean): Promise<void> {
  return wait ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
