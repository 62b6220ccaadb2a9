// @ts-check
/* global TextDecoderStream -- a browser (and Node) global */
/**
 * @module playground/api
 * The page's only way to the server: the public API, same origin, JSON in and
 * out (`Content-Type: application/json` on every request with a body), the
 * API key as a bearer token when one is set (never in a URL). Failures become
 * `PlaygroundApiError`s carrying the API's own message; a 401 also tells the
 * page to ask for a key. Streams are read with the `sse.js` parser.
 */
import { PlaygroundApiError, errorFromResponse } from "./api-error.js";
import { createSseParser, interpretEventData } from "./sse.js";

/**
 * @typedef {{ key: () => string, onUnauthorized: (error: PlaygroundApiError) => void }} ApiOptions
 */

/** @param {ApiOptions} options */
export function createApi(options) {
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {AbortSignal} [signal]
   * @returns {Promise<Response>}
   */
  async function send(method, path, body, signal) {
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json, text/event-stream" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const key = options.key();
    if (key.length > 0) headers.authorization = `Bearer ${key}`;
    /** @type {RequestInit} */
    const init = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    const response = await fetch(path, init);
    if (!response.ok) {
      const error = errorFromResponse(response.status, await response.text().catch(() => ""));
      if (response.status === 401) options.onUnauthorized(error);
      throw error;
    }
    return response;
  }

  return {
    /**
     * A JSON request; resolves with the parsed body.
     * @param {string} method
     * @param {string} path
     * @param {unknown} [body]
     * @returns {Promise<any>}
     */
    async json(method, path, body) {
      const response = await send(method, path, body);
      return response.json();
    },

    /**
     * A streamed chat completion: calls `onChunk` per chunk; resolves with the
     * response headers once `[DONE]` came; rejects with the API's error (also
     * one sent inside the stream), or an `AbortError` when `signal` stopped it.
     * @param {string} path
     * @param {unknown} body
     * @param {{ signal: AbortSignal, onHeaders?: (headers: Headers) => void, onChunk: (chunk: any) => void }} handlers
     * @returns {Promise<Headers>}
     */
    async stream(path, body, handlers) {
      const response = await send("POST", path, body, handlers.signal);
      handlers.onHeaders?.(response.headers);
      if (!response.body) throw new PlaygroundApiError("The server sent no stream.");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = createSseParser();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const data of parser.push(value)) {
            const event = interpretEventData(data);
            if (event.type === "done") return response.headers;
            if (event.type === "error") throw new PlaygroundApiError(event.error.message, { code: event.error.code ?? null, param: event.error.param ?? null });
            handlers.onChunk(event.chunk);
          }
        }
      } finally {
        void reader.cancel().catch(() => undefined);
      }
      throw new PlaygroundApiError("The stream ended before the answer was complete (no [DONE]).");
    },
  };
}
