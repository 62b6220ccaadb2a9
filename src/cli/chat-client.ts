/**
 * @module cli/chat-client
 * What `urial chat` needs from a server, over any `fetch`: the real network
 * for `--url`, or an in-process app's `request` for a model file — so both
 * paths run the same OpenAI wire protocol. Streams chat answers as text
 * pieces; errors come back as `ChatServerError` with the server's message.
 */
import { SseDataReader } from "../engine/remote/sse-data-reader.js";

export type ChatFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sampling settings a chat can change with `/set`. */
export interface ChatSettings {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
}

/** The server refused or failed; `message` is what it said. */
export class ChatServerError extends Error {
  readonly status: number;
  readonly code: string | null;
  constructor(status: number, message: string, code: string | null) {
    super(message);
    this.name = "ChatServerError";
    this.status = status;
    this.code = code;
  }
}

export interface ChatClient {
  /** The model ids the server offers. */
  listModels(): Promise<string[]>;
  /** Streams an answer's text; ends early (without error) when `signal` aborts. Returns the finish reason. */
  streamAnswer(model: string, messages: readonly ChatMessage[], settings: ChatSettings, onText: (text: string) => void, signal: AbortSignal): Promise<string | null>;
  /** The rendered prompt (urial's and llama-server's POST /apply-template), or null when the server has no such route. */
  renderPrompt(model: string, messages: readonly ChatMessage[]): Promise<{ prompt: string; tokens: number | null } | null>;
}

/** A client for the server at `baseUrl` (ending in /v1), sending `apiKey` as a Bearer token when given. */
export function createChatClient(fetch: ChatFetch, baseUrl: string, apiKey?: string): ChatClient {
  const root = baseUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json", ...(apiKey !== undefined ? { authorization: `Bearer ${apiKey}` } : {}) };
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(`${path.startsWith("/v1/") ? root : root.replace(/\/v1$/, "")}${path.startsWith("/v1/") ? path.slice(3) : path}`, { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw new ChatServerError(0, `cannot reach ${root} (${cause}); is the server running? Start one with 'npx urial serve', or chat with a model file: 'npx urial chat --model PATH'`, null);
    }
    return response;
  };
  const fail = async (response: Response): Promise<never> => {
    const text = await response.text();
    let message = `HTTP ${response.status}`;
    let code: string | null = null;
    try {
      const body = JSON.parse(text) as { error?: { message?: string; code?: string | null } | string };
      if (typeof body.error === "string") message = body.error;
      else if (body.error?.message) {
        message = body.error.message;
        code = body.error.code ?? null;
      }
    } catch {
      if (text.trim().length > 0) message = `HTTP ${response.status}: ${text.trim().slice(0, 300)}`;
    }
    throw new ChatServerError(response.status, message, code);
  };
  return {
    async listModels() {
      const response = await call("/v1/models", { method: "GET" });
      if (!response.ok) return fail(response);
      const body = (await response.json()) as { data?: { id?: unknown }[] };
      return (body.data ?? []).flatMap((entry) => (typeof entry.id === "string" ? [entry.id] : []));
    },
    async streamAnswer(model, messages, settings, onText, signal) {
      const body = {
        model,
        messages,
        stream: true,
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        ...(settings.maxTokens !== undefined ? { max_tokens: settings.maxTokens } : {}),
        ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
      };
      let response: Response;
      try {
        response = await call("/v1/chat/completions", { method: "POST", body: JSON.stringify(body), signal });
      } catch (error) {
        if (signal.aborted) return null;
        throw error;
      }
      if (!response.ok) return fail(response);
      const reader = new SseDataReader();
      let finish: string | null = null;
      const handle = (payload: string) => {
        if (payload === "[DONE]") return;
        const chunk = JSON.parse(payload) as { error?: { message?: string; code?: string }; choices?: { delta?: { content?: string }; finish_reason?: string | null }[] };
        if (chunk.error) throw new ChatServerError(200, chunk.error.message ?? "the stream failed", chunk.error.code ?? null);
        const choice = chunk.choices?.[0];
        if (choice?.delta?.content) onText(choice.delta.content);
        if (choice?.finish_reason) finish = choice.finish_reason;
      };
      const stream = response.body?.getReader();
      if (stream === undefined) return null;
      try {
        for (;;) {
          const { done, value } = await stream.read();
          if (done) break;
          for (const payload of reader.push(value)) handle(payload);
        }
        for (const payload of reader.finish()) handle(payload);
      } catch (error) {
        if (signal.aborted) return null;
        throw error;
      } finally {
        await stream.cancel().catch(() => undefined);
      }
      return finish;
    },
    async renderPrompt(model, messages) {
      const response = await call("/apply-template", { method: "POST", body: JSON.stringify({ model, messages }) });
      if (response.status === 404 || response.status === 405) {
        const error = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        // The route is missing (an older server), not the model.
        if (error?.error?.code !== "model_not_found") return null;
        return fail(new Response(JSON.stringify(error), { status: response.status }));
      }
      if (!response.ok) return fail(response);
      const body = (await response.json()) as { prompt?: unknown; prompt_tokens?: unknown };
      return typeof body.prompt === "string" ? { prompt: body.prompt, tokens: typeof body.prompt_tokens === "number" ? body.prompt_tokens : null } : null;
    },
  };
}
