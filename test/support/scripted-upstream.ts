/**
 * @module test/support/scripted-upstream
 * A scripted OpenAI-compatible completions server on loopback, for the remote
 * engine: `/v1/models`, `/tokenize` (llama-server's `content` dialect, vLLM's
 * `prompt` dialect, or none) and a `/v1/completions` whose behaviour each test
 * sets. Records every request. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedUpstreamRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** What `/v1/completions` does with a request. */
export type CompletionsHandler = (body: Record<string, unknown>, response: ServerResponse, request: IncomingMessage) => void | Promise<void>;

export interface ScriptedUpstreamOptions {
  /** Model ids listed by `/v1/models`. Defaults to `["tiny-base"]`. */
  models?: string[];
  /** `max_model_len` listed with each model (vLLM style). Defaults to none. */
  maxModelLen?: number;
  /** `/tokenize` dialect. Defaults to `"content"` (llama-server). */
  tokenize?: "content" | "prompt" | "none";
  /** What `/v1/completions` does. Defaults to streaming "Hello", " there." with usage. `/tokenize` counts one token per UTF-16 unit plus BOS. */
  completions?: CompletionsHandler;
}

export interface ScriptedUpstream {
  url: string;
  requests: RecordedUpstreamRequest[];
  /** Completions requests whose connection closed before their script had written everything. */
  closedEarly: number;
  /** Completions requests still open. */
  open: number;
  setCompletions(handler: CompletionsHandler): void;
  close(): Promise<void>;
}

/** Responses whose script wrote everything it meant to (the rest were cut off by the client). */
const completedResponses = new WeakSet<ServerResponse>();

/** Marks a response as fully written (for hand-written handlers; `writeSse` does it itself). */
export function markCompleted(response: ServerResponse): void {
  completedResponses.add(response);
}

/** One `data:` event per chunk object, then `[DONE]` (unless `done: false`); `pieces` writes the bytes in pieces of that size (to split events, lines and characters); `delayMs` waits after each write. */
export async function writeSse(response: ServerResponse, events: readonly unknown[], options: { done?: boolean; pieces?: number; delayMs?: number } = {}): Promise<void> {
  if (!response.headersSent) response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const texts = events.map((event) => `data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
  if (options.done !== false) texts.push("data: [DONE]\n\n");
  // Written event by event, or, with `pieces`, the whole text in pieces of that many bytes.
  const writes = options.pieces === undefined ? texts.map((text) => Buffer.from(text, "utf8")) : splitBytes(Buffer.from(texts.join(""), "utf8"), options.pieces);
  for (const bytes of writes) {
    if (response.destroyed) return;
    response.write(bytes);
    if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  }
  if (response.destroyed) return;
  completedResponses.add(response);
  response.end();
}

function splitBytes(bytes: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) parts.push(bytes.subarray(start, start + size));
  return parts;
}

/** A completions chunk with `text` (and a finish reason on the last). */
export function textChunk(text: string, finishReason: string | null = null, extra: Record<string, unknown> = {}) {
  return { id: "cmpl-up", object: "text_completion", created: 1, model: "tiny-base", choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }], ...extra };
}

/** The usage chunk that `stream_options.include_usage` adds. */
export function usageChunk(promptTokens: number, completionTokens: number, cachedTokens?: number) {
  return {
    id: "cmpl-up",
    object: "text_completion",
    created: 1,
    model: "tiny-base",
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: cachedTokens } }),
    },
  };
}

/** Streams `pieces` as chunks (finish reason on the last), then usage, then [DONE]. */
export function streamPieces(pieces: readonly string[], options: { finishReason?: string; promptTokens?: number; cachedTokens?: number; splitBytes?: number } = {}): CompletionsHandler {
  return (_body, response) =>
    writeSse(
      response,
      [
        ...pieces.map((piece, index) => textChunk(piece, index === pieces.length - 1 ? (options.finishReason ?? "stop") : null)),
        usageChunk(options.promptTokens ?? 10, pieces.length, options.cachedTokens),
      ],
      { pieces: options.splitBytes },
    );
}

/** Starts the server on 127.0.0.1 with a free port. */
export async function startScriptedUpstream(options: ScriptedUpstreamOptions = {}): Promise<ScriptedUpstream> {
  let completions: CompletionsHandler = options.completions ?? streamPieces(["Hello", " there."]);
  const requests: RecordedUpstreamRequest[] = [];
  const state = { closedEarly: 0, open: 0 };
  const models = options.models ?? ["tiny-base"];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const path = (request.url ?? "/").split("?")[0]!;
    requests.push({ method: request.method ?? "GET", path, headers: request.headers, body });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (path === "/v1/models" && request.method === "GET") {
      return json(200, { object: "list", data: models.map((id) => ({ id, object: "model", ...(options.maxModelLen ? { max_model_len: options.maxModelLen } : {}) })) });
    }
    if (path === "/tokenize" && request.method === "POST") {
      const dialect = options.tokenize ?? "content";
      const fields = (body ?? {}) as { content?: unknown; prompt?: unknown };
      const value = dialect === "content" ? fields.content : dialect === "prompt" ? fields.prompt : undefined;
      if (typeof value !== "string") return json(dialect === "none" ? 404 : 400, { error: { message: "bad tokenize request" } });
      // One token per UTF-16 unit, plus BOS: easy to predict in tests.
      return json(200, { tokens: [1, ...Array.from(value, (character) => character.charCodeAt(0))] });
    }
    if (path === "/v1/completions" && request.method === "POST") {
      state.open += 1;
      response.on("close", () => {
        state.open -= 1;
        if (!completedResponses.has(response)) state.closedEarly += 1;
      });
      try {
        await completions((body ?? {}) as Record<string, unknown>, response, request);
      } catch {
        if (!response.headersSent) json(500, { error: { message: "the scripted handler threw" } });
        else response.destroy();
      }
      return;
    }
    json(404, { error: { message: `no route ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get closedEarly() {
      return state.closedEarly;
    },
    get open() {
      return state.open;
    },
    setCompletions(handler) {
      completions = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
