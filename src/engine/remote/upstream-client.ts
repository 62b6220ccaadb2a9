/**
 * @module engine/remote/upstream-client
 * HTTP to an OpenAI-compatible upstream, with every failure turned into an
 * `UpstreamError`: unreachable, no answer (or no next chunk) within the
 * timeout, an error status, or an answer that is not what was asked for.
 * A caller's abort (its client left) ends the upstream request at once and
 * rethrows the caller's reason.
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

/** The remote engine's HTTP client for one upstream. */
export class UpstreamClient {
  readonly #options: UpstreamClientOptions;

  constructor(options: UpstreamClientOptions) {
    this.#options = options;
  }

  get url(): UpstreamUrl {
    return this.#options.url;
  }

  /** GET a JSON document (`path` under the root, e.g. `/v1/models`); `undefined` for a 404. */
  async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.#json(path, { method: "GET" }, signal);
  }

  /** POST JSON and read JSON; `undefined` for a 404. */
  async postJson(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.#json(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }, signal);
  }

  /** POSTs a streaming `/v1/completions` request and yields its parsed events until `[DONE]` or the end. */
  async *streamCompletion(body: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<ParsedChunk | "done"> {
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
      for (;;) {
        const { done, value } = await request.idle(reader.read());
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

  async #json(path: string, init: RequestInit, signal?: AbortSignal): Promise<unknown> {
    const request = this.#start(`${this.#options.url.root}${path}`, init, signal);
    try {
      const response = await request.response;
      if (response.status === 404 || response.status === 405) return undefined;
      if (!response.ok) throw await request.idle(statusError(response));
      const text = await request.idle(response.text());
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
    const response = bounded(fetch(url, { ...init, headers, signal: controller.signal }), "no answer");
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

/** The body as text, at most `maxErrorBytes` of it. */
async function readLimited(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < maxErrorBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return new TextDecoder().decode(Buffer.concat(parts).subarray(0, maxErrorBytes));
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  return error instanceof Error ? error.message : String(error);
}
