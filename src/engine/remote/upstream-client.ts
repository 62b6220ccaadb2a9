/**
 * @module engine/remote/upstream-client
 * HTTP to an OpenAI-compatible upstream, with every failure turned into an
 * `UpstreamError`: unreachable, no answer (or no next chunk) within the
 * timeout, an error status, or an answer that is not what was asked for.
 * A caller's abort (its client left) ends the upstream request at once and
 * rethrows the caller's reason. Nothing the upstream sends is trusted to be
 * small: JSON answers, error bodies, single events and whole streams are read
 * up to a bound, and a redirect to another origin is refused (one to the same
 * origin is followed, a few times at most).
 */
import { UpstreamError } from "../engine.js";
import { parseCompletionChunk, upstreamErrorMessage, type ParsedChunk } from "./completion-chunk.js";
import { SseDataReader } from "./sse-data-reader.js";
import type { UpstreamUrl } from "./upstream-url.js";

export interface UpstreamClientOptions {
  url: UpstreamUrl;
  /** Sent as `Authorization: Bearer …`; never logged. */
  apiKey?: string;
  /** Longest wait for an answer's headers, and between two chunks of a stream, in ms. */
  timeoutMs: number;
}

/** Largest error body read from the upstream, and largest single event accepted. */
const maxErrorBytes = 64 * 1024;
const maxEventChars = 1024 * 1024;
/** Largest JSON answer read unless the caller says otherwise (model lists, /props, /health). */
export const defaultMaxJsonBytes = 4 * 1024 * 1024;
/** Same-origin redirects followed, at most. */
const maxRedirects = 3;

/** The remote engine's HTTP client for one upstream. */
export class UpstreamClient {
  readonly #options: UpstreamClientOptions;

  constructor(options: UpstreamClientOptions) {
    this.#options = options;
  }

  get url(): UpstreamUrl {
    return this.#options.url;
  }

  /** GET a JSON document (`path` under the root, e.g. `/v1/models`); `undefined` for a 404. Answers over `maxBytes` fail. */
  async getJson(path: string, signal?: AbortSignal, maxBytes = defaultMaxJsonBytes): Promise<unknown> {
    return this.#json(path, { method: "GET" }, signal, maxBytes);
  }

  /** POST JSON and read JSON; `undefined` for a 404. Answers over `maxBytes` fail. */
  async postJson(path: string, body: unknown, signal?: AbortSignal, maxBytes = defaultMaxJsonBytes): Promise<unknown> {
    return this.#json(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }, signal, maxBytes);
  }

  /** GETs `path` and reads its status and (bounded) body: for health checks, where any answer is information. */
  async probe(path: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const request = this.#start(`${this.#options.url.root}${path}`, { method: "GET" }, signal);
    try {
      const response = await request.response;
      return { status: response.status, body: await request.idle(readLimited(response)) };
    } finally {
      request.close();
    }
  }

  /**
   * POSTs a streaming `/v1/completions` request and yields its parsed events
   * until `[DONE]` or the end; a stream longer than `maxBytes` fails.
   */
  async *streamCompletion(body: Record<string, unknown>, signal?: AbortSignal, maxBytes = Number.POSITIVE_INFINITY): AsyncGenerator<ParsedChunk | "done"> {
    const request = this.#start(
      `${this.#options.url.v1}/completions`,
      { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", accept: "text/event-stream" } },
      signal,
    );
    try {
      const response = await request.response;
      if (!response.ok) throw await request.idle(statusError(response));
      const type = response.headers.get("content-type") ?? "";
      if (!type.includes("text/event-stream")) {
        throw new UpstreamError("protocol", `expected an event stream, got '${type || "no content type"}': ${upstreamErrorMessage(await request.idle(readLimited(response)))}`);
      }
      if (!response.body) throw new UpstreamError("protocol", "the stream has no body");
      const reader = response.body.getReader();
      const events = new SseDataReader();
      let received = 0;
      for (;;) {
        const { done, value } = await request.idle(reader.read());
        received += value?.byteLength ?? 0;
        if (received > maxBytes) throw new UpstreamError("protocol", `the stream went on past ${maxBytes} bytes without finishing`);
        const payloads = done ? events.finish() : events.push(value);
        for (const payload of payloads) {
          if (payload.trim() === "[DONE]") {
            yield "done";
            return;
          }
          const parsed = parseCompletionChunk(payload);
          if (parsed === undefined) throw new UpstreamError("protocol", `not a completions chunk: ${JSON.stringify(payload.slice(0, 120))}`);
          yield parsed;
        }
        if (events.pendingLength > maxEventChars) throw new UpstreamError("protocol", `an event longer than ${maxEventChars} characters`);
        if (done) return;
      }
    } finally {
      // Closing the connection is how an OpenAI-compatible server learns to stop generating.
      request.close();
    }
  }

  async #json(path: string, init: RequestInit, signal: AbortSignal | undefined, maxBytes: number): Promise<unknown> {
    const request = this.#start(`${this.#options.url.root}${path}`, init, signal);
    try {
      const response = await request.response;
      if (response.status === 404 || response.status === 405) return undefined;
      if (!response.ok) throw await request.idle(statusError(response));
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      if (declared > maxBytes) throw new UpstreamError("protocol", `${path} answered ${declared} bytes, more than the ${maxBytes} accepted`);
      const bytes = await request.idle(readLimitedBytes(response, maxBytes + 1));
      if (bytes.byteLength > maxBytes) throw new UpstreamError("protocol", `${path} answered more than the ${maxBytes} bytes accepted`);
      const text = bytes.toString("utf8");
      try {
        return JSON.parse(text);
      } catch {
        throw new UpstreamError("protocol", `${path} did not answer with JSON: ${upstreamErrorMessage(text)}`);
      }
    } finally {
      request.close();
    }
  }

  /** Starts a request whose headers must come within the timeout; `idle` bounds each later wait the same way. */
  #start(url: string, init: RequestInit, signal?: AbortSignal) {
    const { timeoutMs, apiKey } = this.#options;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const headers = new Headers(init.headers);
    if (apiKey !== undefined) headers.set("authorization", `Bearer ${apiKey}`);
    const timedOut = (what: string) => new UpstreamError("timeout", `${what} within ${timeoutMs} ms`);
    const bounded = <T>(promise: Promise<T>, what: string): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = timedOut(what);
            controller.abort(error);
            reject(error);
          }, timeoutMs);
        }),
      ]).then(
        (value) => {
          clearTimeout(timer);
          return value;
        },
        (error: unknown) => {
          clearTimeout(timer);
          // Aborted by the caller or by a timeout: that reason is the truth, not the fetch's wording.
          if (controller.signal.aborted) throw controller.signal.reason;
          if (error instanceof UpstreamError) throw error;
          throw new UpstreamError("unavailable", describeFetchError(error));
        },
      );
    };
    const response = bounded(fetchFollowingSameOrigin(url, { ...init, headers, signal: controller.signal }), "no answer");
    // Nobody may await it (the caller left first): never an unhandled rejection.
    response.catch(() => undefined);
    return {
      response,
      idle: <T>(promise: Promise<T>) => bounded(promise, "no data"),
      close: () => {
        signal?.removeEventListener("abort", onAbort);
        if (!controller.signal.aborted) controller.abort(new Error("closed"));
      },
    };
  }
}

async function statusError(response: Response): Promise<UpstreamError> {
  const body = await readLimited(response).catch(() => "");
  return new UpstreamError("status", upstreamErrorMessage(body), response.status, response.headers.get("retry-after") ?? undefined);
}

/** The body as text, at most `maxErrorBytes` of it (the rest is not read). */
async function readLimited(response: Response): Promise<string> {
  return new TextDecoder().decode(await readLimitedBytes(response, maxErrorBytes));
}

/** The body's first `limit` bytes at most (the rest is not read). */
async function readLimitedBytes(response: Response, limit: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(parts).subarray(0, limit);
}

/**
 * `fetch` that follows a redirect only within the upstream's origin (the API
 * key must not travel elsewhere, and a proxy for one server must not be
 * turned into a client of another): a 307/308 for any method, other 3xx for
 * GET only. Anything else is an `UpstreamError`.
 */
async function fetchFollowingSameOrigin(url: string, init: RequestInit): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop += 1) {
    const response = await fetch(current, { ...init, redirect: "manual" });
    if (response.status < 300 || response.status > 399 || response.status === 304) return response;
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    if (location === null) throw new UpstreamError("protocol", `${response.status} redirect without a Location`);
    const target = new URL(location, current);
    const from = new URL(current);
    if (target.origin !== from.origin) {
      throw new UpstreamError("protocol", `a ${response.status} redirect from ${from.origin} to another origin (${target.origin}) was refused: point --upstream at the server itself`);
    }
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && response.status !== 307 && response.status !== 308) {
      throw new UpstreamError("protocol", `a ${response.status} redirect of a ${method} to ${target.pathname} was refused (only 307/308 keep the request)`);
    }
    if (hop >= maxRedirects) throw new UpstreamError("protocol", `more than ${maxRedirects} redirects`);
    current = target.href;
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  return error instanceof Error ? error.message : String(error);
}
