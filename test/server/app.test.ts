/**
 * The HTTP app over the deterministic fake engine: routes, the OpenAI wire
 * shapes (objects, stream chunks, errors), queueing and client system
 * messages. No sockets: every request goes through `app.request()`.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { SystemMessageMode } from "../../src/openai/conversation-from-messages.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine, fakeChosenLogprob, type FakeEngineOptions } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

interface Built {
  app: Hono;
  engine: FakeEngine;
  serverErrors: { requestId: string; error: unknown }[];
}

function build(options: FakeEngineOptions = {}, app: { systemMessageMode?: SystemMessageMode; maxBodyBytes?: number } = {}): Built {
  const engine = new FakeEngine(options);
  const serverErrors: Built["serverErrors"] = [];
  return {
    engine,
    serverErrors,
    app: createApp({
      engine: () => engine,
      catalog,
      systemMessageMode: app.systemMessageMode ?? "append",
      maxBodyBytes: app.maxBodyBytes ?? 1024 * 1024,
      onServerError: (requestId, error) => serverErrors.push({ requestId, error }),
    }),
  };
}

function post(app: Hono, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      ...init,
    }),
  );
}

const hi = { model: "urial", messages: [{ role: "user", content: "Hi" }], temperature: 0 };

/** A longer answer of distinct words, so no repetition or stop rule cuts it. */
const longAnswer =
  "Once upon a time a small fox found a red kite near the river. She asked her brother Tom whether they could fly it together before dinner, and he laughed because the wind was already strong over every green hill.";

/** The URIAL scaffolding a base model typically writes after its answer. */
const scaffolded = "Hello there.\n```\n\n# Query:\nmore";

interface ParsedSse {
  /** Each `data:` payload, in order, as sent. */
  data: string[];
  /** The JSON payloads (everything but `[DONE]`). */
  events: Record<string, unknown>[];
  done: boolean;
}

function parseSse(text: string): ParsedSse {
  const blocks = text.split("\n\n").filter((block) => block.length > 0);
  const data = blocks.map((block) => {
    expect(block.startsWith("data: "), `SSE block ${JSON.stringify(block)}`).toBe(true);
    expect(block.includes("\n"), "one data line per event").toBe(false);
    return block.slice("data: ".length);
  });
  const events = data.filter((payload) => payload !== "[DONE]").map((payload) => JSON.parse(payload) as Record<string, unknown>);
  return { data, events, done: data[data.length - 1] === "[DONE]" };
}

interface ChatChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null; logprobs: unknown }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } } | null;
}

/** Polls `condition` every 5 ms, at most `limitMs`. */
async function waitFor(condition: () => boolean, limitMs = 2000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("GET /health", () => {
  it("answers 503 loading until the engine is there, then 200 with what it runs", async () => {
    let engine: FakeEngine | undefined;
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 });
    const loading = await app.request("/health");
    expect(loading.status).toBe(503);
    expect(await loading.json()).toEqual({ status: "loading" });

    engine = new FakeEngine({ parallel: 2, maxQueue: 3 });
    const ready = await app.request("/health");
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", model: "fake", parallel: 2, max_queue: 3, busy_sequences: 0, queued: 0, default_exemplar_set: "tiny" });
    expect([...(body.exemplar_sets as string[])].sort()).toEqual(["tiny", "tiny-two"]);
  });

  it("answers 503 with Retry-After on generation routes while loading", async () => {
    const app = createApp({ engine: () => undefined, catalog, systemMessageMode: "append", maxBodyBytes: 1024 });
    const response = await post(app, "/v1/chat/completions", hi);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("model_loading");
  });
});

describe("GET /v1/models", () => {
  it("lists urial, one id per exemplar set, and base", async () => {
    const { app } = build();
    const response = await app.request("/v1/models");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string; object: string; owned_by: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((model) => model.id).sort()).toEqual(["base", "urial", "urial/tiny", "urial/tiny-two"]);
    for (const model of body.data) expect(model.object).toBe("model");
  });

  it("retrieves one model (a slash inside the id included) and 404s an unknown one", async () => {
    const { app } = build();
    const found = await app.request("/v1/models/urial/tiny-two");
    expect(found.status).toBe(200);
    expect(((await found.json()) as { id: string }).id).toBe("urial/tiny-two");
    const missing = await app.request("/v1/models/gpt-4o");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "model_not_found", param: "model" });
  });
});

describe("errors", () => {
  it("404s an unknown model with code model_not_found and param model, without generating", async () => {
    const { app, engine } = build();
    const response = await post(app, "/v1/chat/completions", { ...hi, model: "gpt-4o" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: "model", code: "model_not_found" });
    expect(body.error.message).toContain("gpt-4o");
    expect(engine.calls).toHaveLength(0);
  });

  it("answers 'base' chat zero-shot in the URIAL layout: no system prompt, no exemplars, the history kept", async () => {
    const { app, engine } = build();
    const messages = [
      { role: "user", content: "First?" },
      { role: "assistant", content: "One." },
      { role: "user", content: "Second?" },
    ];
    const response = await post(app, "/v1/chat/completions", { ...hi, model: "base", messages });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-urial-exemplar-set")).toBe("zero-shot@1");
    expect(engine.calls[0]!.promptText).toBe("# Query:\n```\nFirst?\n```\n\n# Answer:\n```\nOne.\n```\n\n# Query:\n```\nSecond?\n```\n\n# Answer:\n```\n");
  });

  it("says 'chat' needs --chat-model when the server has no chat model", async () => {
    const { app } = build();
    const response = await post(app, "/v1/chat/completions", { ...hi, model: "chat" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { param: string; message: string; code: string } };
    expect(body.error).toMatchObject({ param: "model", code: "model_not_found" });
    expect(body.error.message).toContain("--chat-model");
  });

  it("answers malformed JSON with a 400 in OpenAI's shape", async () => {
    const { app } = build();
    const response = await post(app, "/v1/chat/completions", '{"model": "urial", "messages": [');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: null, code: "invalid_json" });
    expect(typeof body.error.message).toBe("string");
  });

  it("names the field of a bad value in param", async () => {
    const { app } = build();
    const response = await post(app, "/v1/chat/completions", { ...hi, temperature: 3 });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: Record<string, unknown> }).error).toMatchObject({ param: "temperature", code: "invalid_value" });
    const nested = await post(app, "/v1/chat/completions", { model: "urial", messages: [{ role: "user", content: 5 }] });
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: { param: string } }).error.param).toBe("messages.0.content");
  });

  it("answers a body over maxBodyBytes with 413", async () => {
    const { app, engine } = build({}, { maxBodyBytes: 200 });
    const response = await post(app, "/v1/chat/completions", { ...hi, messages: [{ role: "user", content: "x".repeat(500) }] });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(body.error.message).toContain("200");
    expect(engine.calls).toHaveLength(0);
    // A body under the limit still passes.
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(200);
  });

  it("answers an unknown route with a 404 in OpenAI's error shape", async () => {
    const { app } = build();
    const response = await app.request("/v1/nothing-here", { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error).toMatchObject({ type: "not_found_error", param: null, code: "not_found" });
    expect(body.error.message).toContain("/v1/nothing-here");
  });

  it("sets x-request-id on every response, keeping a sane client id and replacing an unsafe one", async () => {
    const { app } = build({}, { maxBodyBytes: 200 });
    const responses = await Promise.all([
      app.request("/health"),
      app.request("/v1/models"),
      app.request("/nope"),
      post(app, "/v1/chat/completions", "{"),
      post(app, "/v1/chat/completions", { ...hi, model: "nope" }),
      post(app, "/v1/chat/completions", { ...hi, messages: [{ role: "user", content: "x".repeat(500) }] }),
      post(app, "/v1/chat/completions", hi),
      post(app, "/v1/chat/completions", { ...hi, stream: true }),
    ]);
    const ids = responses.map((response) => response.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
    await Promise.all(responses.map((response) => response.text()));

    const kept = await app.request("/health", { headers: { "x-request-id": "client-123.abc" } });
    expect(kept.headers.get("x-request-id")).toBe("client-123.abc");
    const replaced = await app.request("/health", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("rejects top_logprobs without logprobs, and unsupported fields such as tools", async () => {
    const { app } = build();
    const topOnly = await post(app, "/v1/chat/completions", { ...hi, top_logprobs: 2 });
    expect(topOnly.status).toBe(400);
    expect(((await topOnly.json()) as { error: { param: string } }).error.param).toBe("top_logprobs");
    const tools = await post(app, "/v1/chat/completions", { ...hi, tools: [{ type: "function", function: { name: "f" } }] });
    expect(tools.status).toBe(400);
    expect(((await tools.json()) as { error: Record<string, unknown> }).error).toMatchObject({ param: "tools", code: "unsupported_parameter" });
    // The SDK-neutral value passes.
    expect((await post(app, "/v1/chat/completions", { ...hi, tools: [] })).status).toBe(200);
  });
});

describe("POST /v1/chat/completions (non-streaming)", () => {
  it("returns the fake's text with the URIAL scaffolding cut, and stops the engine at the stop", async () => {
    const { app, engine } = build({ script: scaffolded });
    const response = await post(app, "/v1/chat/completions", hi);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-urial-exemplar-set")).toBe("tiny@1.0.0");
    const body = (await response.json()) as {
      id: string;
      object: string;
      model: string;
      system_fingerprint: string;
      choices: { index: number; message: { role: string; content: string }; finish_reason: string; logprobs: unknown }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    };
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("urial");
    expect(body.system_fingerprint).toBe(`fp_${catalog.defaultSet.hash}`);
    expect(body.choices).toHaveLength(1);
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: "assistant", content: "Hello there.", refusal: null }, logprobs: null, finish_reason: "stop" });

    const call = engine.lastCall();
    // Generation ended as soon as "\n# Query" was complete: 17 characters + 8.
    expect(call.outcome).toBe("closed");
    expect(call.tokens).toBe("Hello there.\n```\n\n# Query".length);
    expect(body.usage).toEqual({
      prompt_tokens: call.prompt.length,
      completion_tokens: call.tokens,
      total_tokens: call.prompt.length + call.tokens,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(call.options.sampling.temperature).toBe(0);
    expect(engine.released).toBe(1);
    expect(engine.status()).toEqual({ busySequences: 0, queued: 0 });
  });

  it("sends the rendered URIAL prompt of the selected set", async () => {
    const { app, engine } = build();
    await post(app, "/v1/chat/completions", { ...hi, messages: [{ role: "user", content: "Tell me about a bird." }] });
    const tiny = engine.lastCall().promptText;
    expect(tiny.startsWith("# Instruction\n\nA kind helper answers each question with a short story.\n\n\n# Query:\n```\nTell me about a cat.\n```\n\n# Answer:\n```\n")).toBe(true);
    expect(tiny.endsWith("# Query:\n```\nTell me about a bird.\n```\n\n# Answer:\n```\n")).toBe(true);

    const response = await post(app, "/v1/chat/completions", { ...hi, model: "urial/tiny-two" });
    expect(response.headers.get("x-urial-exemplar-set")).toBe("tiny-two@1.0.0");
    const two = engine.lastCall().promptText;
    expect(two).toContain("a dog named Max");
    expect(two).not.toContain("a cat named Tom");
  });

  it("reports the reused prefix as cached tokens on a repeated request", async () => {
    const { app } = build();
    const first = (await (await post(app, "/v1/chat/completions", hi)).json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    const second = (await (await post(app, "/v1/chat/completions", hi)).json()) as typeof first;
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(second.usage.prompt_tokens).toBe(first.usage.prompt_tokens);
    expect(second.usage.prompt_tokens_details.cached_tokens).toBe(second.usage.prompt_tokens - 1);
  });

  it("ends with finish_reason length at max_tokens (max_completion_tokens wins)", async () => {
    const { app, engine } = build({ script: "Hello there, friend." });
    const body = (await (await post(app, "/v1/chat/completions", { ...hi, max_tokens: 50, max_completion_tokens: 5 })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]!.message.content).toBe("Hello");
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(5);
    expect(engine.lastCall().options.maxTokens).toBe(5);
  });

  it("cuts the client's stop strings", async () => {
    const { app } = build({ script: "one, two, three" });
    const body = (await (await post(app, "/v1/chat/completions", { ...hi, stop: [", t"] })).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.choices[0]).toMatchObject({ message: { content: "one" }, finish_reason: "stop" });
  });

  it("gives n choices with their own indexes and seeds", async () => {
    const { app, engine } = build({ script: ({ call }) => `answer ${call}` });
    const body = (await (await post(app, "/v1/chat/completions", { ...hi, n: 2, seed: 7 })).json()) as {
      choices: { index: number; message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
      [0, "answer 0"],
      [1, "answer 1"],
    ]);
    expect(engine.calls.map((call) => call.options.sampling.seed)).toEqual([7, 8]);
    // The prompt is counted once; completions of both choices are counted.
    expect(body.usage.prompt_tokens).toBe(engine.calls[0]!.prompt.length);
    expect(body.usage.completion_tokens).toBe(16);
  });

  it("returns logprobs entries that match the content exactly", async () => {
    const { app, engine } = build({ script: scaffolded });
    const body = (await (await post(app, "/v1/chat/completions", { ...hi, logprobs: true, top_logprobs: 2 })).json()) as {
      choices: { message: { content: string }; logprobs: { content: { token: string; logprob: number; top_logprobs: { token: string; logprob: number }[] }[] } }[];
    };
    const choice = body.choices[0]!;
    expect(engine.lastCall().options.topLogprobs).toBe(2);
    expect(choice.logprobs.content.map((entry) => entry.token).join("")).toBe(choice.message.content);
    for (const entry of choice.logprobs.content) {
      expect(entry.logprob).toBe(fakeChosenLogprob);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(entry.top_logprobs[0]).toMatchObject({ token: entry.token, logprob: fakeChosenLogprob });
    }
  });

  it("passes response_format as an output constraint", async () => {
    const { app, engine } = build({ script: '{"a": 1}' });
    const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };
    const response = await post(app, "/v1/chat/completions", { ...hi, response_format: { type: "json_schema", json_schema: { name: "x", schema } } });
    expect(response.status).toBe(200);
    expect(engine.lastCall().options.constraint).toEqual({ type: "json_schema", schema });
    await post(app, "/v1/chat/completions", { ...hi, response_format: { type: "json_object" } });
    expect(engine.lastCall().options.constraint).toEqual({ type: "json_object" });
    await post(app, "/v1/chat/completions", { ...hi, response_format: { type: "text" } });
    expect(engine.lastCall().options.constraint).toBeUndefined();
    expect(engine.preparedConstraints).toEqual([{ type: "json_schema", schema }, { type: "json_object" }]);
  });

  it("answers a schema the engine cannot compile with 400 before any stream starts", async () => {
    const { app, engine } = build({ rejectConstraints: "the JSON schema cannot be turned into a grammar: nope" });
    const format = { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } };
    for (const stream of [false, true]) {
      const response = await post(app, "/v1/chat/completions", { ...hi, stream, response_format: format });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(((await response.json()) as { error: Record<string, unknown> }).error).toMatchObject({
        param: "response_format.json_schema.schema",
        code: "invalid_json_schema",
      });
    }
    expect(engine.calls).toHaveLength(0);
    expect(engine.acquired).toHaveLength(0);
  });

  it("answers 400 context_length_exceeded with the numbers when max_tokens does not fit", async () => {
    const { app, engine } = build({ contextSize: 1000 });
    const fits = (await (await post(app, "/v1/chat/completions", hi)).json()) as { usage: { prompt_tokens: number } };
    const promptTokens = fits.usage.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(100);
    const callsBefore = engine.calls.length;

    const response = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 1500 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; code: string; param: string; type: string } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "context_length_exceeded", param: "messages" });
    expect(body.error.message).toContain(`${promptTokens} + 1500 > 1000`);
    expect(engine.calls.length).toBe(callsBefore);

    // Exactly filling the context is allowed.
    const exact = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 1000 - promptTokens });
    expect(exact.status).toBe(200);
    const over = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 1001 - promptTokens });
    expect(over.status).toBe(400);
  });

  it("frees the sequence when the client goes away during a non-streamed generation", async () => {
    const { app, engine, serverErrors } = build({ script: "x".repeat(200), tokenDelayMs: 5 });
    const controller = new AbortController();
    const pending = post(app, "/v1/chat/completions", hi, { signal: controller.signal }).catch((error: unknown) => error);
    await waitFor(() => engine.calls.length === 1 && engine.lastCall().tokens >= 2);
    controller.abort();
    await pending;
    await waitFor(() => engine.released === 1);
    expect(engine.lastCall().outcome).toBe("aborted");
    expect(engine.lastCall().tokens).toBeLessThan(200);
    expect(engine.status().busySequences).toBe(0);
    // A client that left is not a server error.
    expect(serverErrors).toHaveLength(0);
  });
});

describe("POST /v1/chat/completions (streaming)", () => {
  it("streams chunks that share id/created, with role first, finish_reason last, usage and [DONE]", async () => {
    const { app, engine } = build({ script: scaffolded });
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true, stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const { events, done, data } = parseSse(await response.text());
    expect(done).toBe(true);
    expect(data.filter((payload) => payload === "[DONE]")).toHaveLength(1);

    const chunks = events as unknown as ChatChunk[];
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const [first] = chunks;
    for (const chunk of chunks) {
      expect(chunk.id).toBe(first!.id);
      expect(chunk.created).toBe(first!.created);
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe("urial");
    }
    expect(first!.id).toMatch(/^chatcmpl-/);

    const usageChunk = chunks[chunks.length - 1]!;
    expect(usageChunk.choices).toEqual([]);
    const call = engine.lastCall();
    expect(usageChunk.usage).toEqual({
      prompt_tokens: call.prompt.length,
      completion_tokens: call.tokens,
      total_tokens: call.prompt.length + call.tokens,
      prompt_tokens_details: { cached_tokens: 0 },
    });

    const choiceChunks = chunks.slice(0, -1);
    for (const chunk of choiceChunks) {
      expect(chunk.choices).toHaveLength(1);
      expect(chunk.usage).toBeNull();
    }
    expect(choiceChunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(choiceChunks.slice(1).every((chunk) => chunk.choices[0]!.delta.role === undefined)).toBe(true);
    const last = choiceChunks[choiceChunks.length - 1]!;
    expect(last.choices[0]!.finish_reason).toBe("stop");
    expect(choiceChunks.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null)).toBe(true);
    expect(choiceChunks.map((chunk) => chunk.choices[0]!.delta.content ?? "").join("")).toBe("Hello there.");
    expect(engine.released).toBe(1);
  });

  it("streams several content chunks as tokens arrive", async () => {
    const { app } = build({ script: longAnswer });
    const { events } = parseSse(await (await post(app, "/v1/chat/completions", { ...hi, stream: true })).text());
    const chunks = events as unknown as ChatChunk[];
    // Without include_usage there is no usage key and no usage chunk.
    for (const chunk of chunks) expect("usage" in chunk).toBe(false);
    const contents = chunks.map((chunk) => chunk.choices[0]!.delta.content).filter((content): content is string => content !== undefined && content.length > 0);
    expect(contents.length).toBeGreaterThan(2);
    expect(contents.join("")).toBe(longAnswer);
  });

  it("keeps role first and finish_reason last per choice with n = 2", async () => {
    const { app } = build({ script: ({ call }) => `choice ${call}` });
    const { events, done } = parseSse(await (await post(app, "/v1/chat/completions", { ...hi, n: 2, stream: true })).text());
    expect(done).toBe(true);
    const chunks = events as unknown as ChatChunk[];
    for (const index of [0, 1]) {
      const mine = chunks.map((chunk) => chunk.choices[0]!).filter((choice) => choice.index === index);
      expect(mine[0]!.delta.role).toBe("assistant");
      expect(mine.slice(1).some((choice) => choice.delta.role !== undefined)).toBe(false);
      expect(mine[mine.length - 1]!.finish_reason).toBe("stop");
      expect(mine.slice(0, -1).every((choice) => choice.finish_reason === null)).toBe(true);
      expect(mine.map((choice) => choice.delta.content ?? "").join("")).toBe(`choice ${index}`);
    }
  });

  it("writes an engine failure after the stream began as a data: {error} event, without [DONE]", async () => {
    const failAt = 120;
    const { app, engine, serverErrors } = build({ script: longAnswer, failAfterTokens: failAt });
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true });
    expect(response.status).toBe(200);
    const { events, done, data } = parseSse(await response.text());
    expect(done).toBe(false);
    expect(data).not.toContain("[DONE]");
    const chunks = events.slice(0, -1) as unknown as ChatChunk[];
    expect(chunks.length).toBeGreaterThan(0);
    // What was sent before the failure is a non-empty part of the answer (the
    // answer pipeline may still hold back its last few words).
    const sent = chunks.map((chunk) => chunk.choices[0]!.delta.content ?? "").join("");
    expect(sent.length).toBeGreaterThan(0);
    expect(longAnswer.slice(0, failAt).startsWith(sent)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices[0]!.finish_reason !== null)).toBe(false);
    const last = events[events.length - 1]!;
    expect(Object.keys(last)).toEqual(["error"]);
    expect(last.error).toMatchObject({ type: "server_error", code: "engine_error", param: null });
    expect((last.error as { message: string }).message).toContain("failed on purpose");
    expect(serverErrors).toHaveLength(1);
    expect(serverErrors[0]!.requestId).toBe(response.headers.get("x-request-id"));
    expect(engine.released).toBe(1);
    expect(engine.status().busySequences).toBe(0);
  });

  it("frees the sequence when the client disconnects mid-stream", async () => {
    const { app, engine, serverErrors } = build({ script: "y".repeat(400), tokenDelayMs: 5 });
    const controller = new AbortController();
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true }, { signal: controller.signal });
    // Keep reading, as a socket would: an unread stream stalls the writer.
    const reader = response.body!.getReader();
    const drained = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })().catch(() => undefined);
    await waitFor(() => engine.calls.length === 1 && engine.lastCall().tokens >= 3);
    controller.abort();
    await waitFor(() => engine.released === 1);
    await reader.cancel().catch(() => undefined);
    await drained;
    expect(engine.lastCall().outcome).toBe("aborted");
    expect(engine.lastCall().tokens).toBeLessThan(400);
    // A client that left is not a server error.
    expect(serverErrors).toHaveLength(0);
  });
});

describe("queueing", () => {
  it("answers 429 with Retry-After when the queue is full, and serves again once the sequence is free", async () => {
    const { app, engine } = build({ parallel: 1, maxQueue: 0, script: "0123456789", tokenDelayMs: 20 });
    const first = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().busySequences === 1);
    const rejected = await post(app, "/v1/chat/completions", hi);
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get("retry-after")).toBe("1");
    expect(((await rejected.json()) as { error: Record<string, unknown> }).error).toMatchObject({ type: "rate_limit_error", code: "queue_full" });
    expect((await first).status).toBe(200);
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(200);
    expect(engine.calls).toHaveLength(2);
  });

  it("lets a request wait in the queue and serves it after the one in flight", async () => {
    const { app, engine } = build({ parallel: 1, maxQueue: 1, script: "0123456789", tokenDelayMs: 10 });
    const first = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().busySequences === 1);
    const second = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().queued === 1);
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(engine.calls.map((call) => call.outcome)).toEqual(["eos", "eos"]);
    expect(engine.status()).toEqual({ busySequences: 0, queued: 0 });
  });
});

describe("queueing (continued)", () => {
  it("drops a queued request whose client leaves, and shows busy/queued in /health", async () => {
    const { app, engine } = build({ parallel: 1, maxQueue: 1, script: "0123456789", tokenDelayMs: 20 });
    const first = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().busySequences === 1);
    const controller = new AbortController();
    const second = post(app, "/v1/chat/completions", hi, { signal: controller.signal }).catch((error: unknown) => error);
    await waitFor(() => engine.status().queued === 1);
    const health = (await (await app.request("/health")).json()) as { busy_sequences: number; queued: number };
    expect(health).toMatchObject({ busy_sequences: 1, queued: 1 });

    controller.abort();
    await second;
    expect(engine.status().queued).toBe(0);
    expect((await first).status).toBe(200);
    // Only the first request generated; the slot is free for the next one.
    expect(engine.calls).toHaveLength(1);
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(200);
    expect(engine.status()).toEqual({ busySequences: 0, queued: 0 });
  });
});

describe("client system messages", () => {
  const withSystem = {
    ...hi,
    messages: [
      { role: "system", content: "Answer like a pirate." },
      { role: "user", content: "Hi" },
    ],
  };
  const builtIn = "A kind helper answers each question with a short story.";

  it.each([
    ["append", "appended", true, true],
    ["replace", "replaced", false, true],
    ["ignore", "ignored", true, false],
  ] as const)("mode %s: header %s, set prompt kept %s, client text present %s", async (mode, header, keepsBuiltIn, hasClient) => {
    const { app, engine } = build({}, { systemMessageMode: mode });
    const response = await post(app, "/v1/chat/completions", withSystem);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-urial-system-message")).toBe(header);
    const prompt = engine.lastCall().promptText;
    expect(prompt.includes(builtIn)).toBe(keepsBuiltIn);
    expect(prompt.includes("Answer like a pirate.")).toBe(hasClient);
    if (mode === "append") expect(prompt.indexOf(builtIn)).toBeLessThan(prompt.indexOf("Answer like a pirate."));
    // The system text stays before the exemplars.
    if (hasClient) expect(prompt.indexOf("Answer like a pirate.")).toBeLessThan(prompt.indexOf("# Query:"));
  });

  it("sets no x-urial-system-message header without a system message", async () => {
    const { app } = build();
    const response = await post(app, "/v1/chat/completions", hi);
    expect(response.headers.get("x-urial-system-message")).toBeNull();
  });
});

describe("POST /v1/completions", () => {
  const echoScript = ({ promptText }: { promptText: string }) => ` after ${promptText}`;

  it("runs every prompt n times with indexes prompt × n + copy, on the raw prompt", async () => {
    const { app, engine } = build({ script: echoScript });
    const response = await post(app, "/v1/completions", { model: "base", prompt: ["Alpha", "Beta"], n: 2, temperature: 0 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      id: string;
      object: string;
      choices: { index: number; text: string; finish_reason: string; logprobs: unknown }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.object).toBe("text_completion");
    expect(body.choices).toEqual([
      { index: 0, text: " after Alpha", logprobs: null, finish_reason: "stop" },
      { index: 1, text: " after Alpha", logprobs: null, finish_reason: "stop" },
      { index: 2, text: " after Beta", logprobs: null, finish_reason: "stop" },
      { index: 3, text: " after Beta", logprobs: null, finish_reason: "stop" },
    ]);
    // No URIAL prompt: the model sees the client's text as is.
    expect(engine.calls.map((call) => call.promptText)).toEqual(["Alpha", "Alpha", "Beta", "Beta"]);
    expect(body.usage.prompt_tokens).toBe("Alpha".length + "Beta".length);
    expect(body.usage.completion_tokens).toBe(2 * " after Alpha".length + 2 * " after Beta".length);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("prepends the prompt with echo, and does not clean URIAL scaffolding", async () => {
    const { app } = build({ script: " and then\n```\n# Query" });
    const body = (await (await post(app, "/v1/completions", { model: "base", prompt: "Alpha", echo: true })).json()) as { choices: { text: string }[] };
    expect(body.choices[0]!.text).toBe("Alpha and then\n```\n# Query");
  });

  it("streams text chunks with the echo first, a finish_reason last, and [DONE]", async () => {
    const { app } = build({ script: " beyond" });
    const response = await post(app, "/v1/completions", { model: "urial", prompt: "Alpha", echo: true, stream: true, stream_options: { include_usage: true } });
    const { events, done } = parseSse(await response.text());
    expect(done).toBe(true);
    const chunks = events as unknown as { id: string; choices: { text: string; finish_reason: string | null }[]; usage?: unknown }[];
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7 });
    const texts = chunks.slice(0, -1).map((chunk) => chunk.choices[0]!);
    expect(texts[0]!.text).toBe("Alpha");
    expect(texts.map((choice) => choice.text).join("")).toBe("Alpha beyond");
    expect(texts[texts.length - 1]!.finish_reason).toBe("stop");
    expect(texts.slice(0, -1).every((choice) => choice.finish_reason === null)).toBe(true);
  });

  it("returns legacy logprobs whose offsets follow the text", async () => {
    const { app } = build({ script: "xyz" });
    const body = (await (await post(app, "/v1/completions", { model: "base", prompt: "Alpha", logprobs: 2 })).json()) as {
      choices: { text: string; logprobs: { tokens: string[]; token_logprobs: number[]; top_logprobs: Record<string, number>[]; text_offset: number[] } }[];
    };
    const { logprobs, text } = body.choices[0]!;
    expect(text).toBe("xyz");
    expect(logprobs.tokens).toEqual(["x", "y", "z"]);
    expect(logprobs.text_offset).toEqual([0, 1, 2]);
    expect(logprobs.token_logprobs).toEqual([fakeChosenLogprob, fakeChosenLogprob, fakeChosenLogprob]);
    expect(logprobs.top_logprobs[0]).toEqual({ x: fakeChosenLogprob, "<alt1>": fakeChosenLogprob - 1 });
  });

  it("404s an unknown model and 400s an empty prompt on a model without BOS", async () => {
    const { app, engine } = build();
    const unknown = await post(app, "/v1/completions", { model: "gpt-3.5-turbo-instruct", prompt: "x" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: Record<string, unknown> }).error).toMatchObject({ param: "model", code: "model_not_found" });
    const empty = await post(app, "/v1/completions", { model: "base", prompt: "" });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { param: string } }).error.param).toBe("prompt");
    expect(engine.calls).toHaveLength(0);
  });
});
