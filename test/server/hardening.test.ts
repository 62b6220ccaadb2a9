/**
 * Production hardening of the HTTP app over the fake engine: API keys, CORS,
 * request limits, the wall-clock timeout, graceful shutdown, and streams that
 * fail before their first token. No sockets: `app.request()` only.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { RequestTracker } from "../../src/lifecycle/request-tracker.js";
import { shuttingDown } from "../../src/openai/api-error.js";
import type { AppDeps } from "../../src/server/app-deps.js";
import { createApp } from "../../src/server/app.js";
import type { RequestRecord } from "../../src/telemetry/request-record.js";
import { FakeEngine, fakeTokenize, type FakeEngineOptions } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

interface Built {
  app: Hono;
  engine: FakeEngine;
  records: RequestRecord[];
  tracker: RequestTracker;
}

function build(options: FakeEngineOptions = {}, deps: Partial<AppDeps> = {}): Built {
  const engine = new FakeEngine(options);
  const records: RequestRecord[] = [];
  const tracker = deps.tracker ?? new RequestTracker();
  const app = createApp({
    engine: () => engine,
    catalog,
    systemMessageMode: "append",
    maxBodyBytes: 1024 * 1024,
    tracker,
    onRequestDone: (record) => records.push(record),
    ...deps,
  });
  return { app, engine, records, tracker };
}

function post(app: Hono, path: string, body: unknown, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      ...init,
      headers: { "content-type": "application/json", ...init.headers },
      body: typeof body === "string" || body instanceof Uint8Array ? (body as RequestInit["body"]) : JSON.stringify(body),
    }),
  );
}

const hi = { model: "urial", messages: [{ role: "user", content: "Hi" }], temperature: 0 };
const longScript = "Once upon a time a small fox found a red kite near the river and flew it over every green hill until dark.";

async function errorOf(response: Response): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  expect(Object.keys(body)).toEqual(["error"]);
  return body.error;
}

async function waitFor(condition: () => boolean, limitMs = 3000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .filter((block) => block.length > 0)
    .map((block) => block.slice("data: ".length));
}

describe("API keys", () => {
  const keys = ["sk-first-0123456789", "sk-second-abcdefghij"];

  it("answers 401 in OpenAI's shape without a key or with a wrong one, and serves either configured key", async () => {
    const { app } = build({}, { apiKeys: keys });
    const missing = await app.request("/v1/models");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    expect(await errorOf(missing)).toMatchObject({ type: "authentication_error", code: "missing_api_key", param: null });

    const wrong = await app.request("/v1/models", { headers: { authorization: "Bearer sk-wrong-key-999" } });
    expect(wrong.status).toBe(401);
    const wrongError = await errorOf(wrong);
    expect(wrongError.code).toBe("invalid_api_key");
    expect(wrongError.message).not.toContain("sk-wrong-key-999");

    for (const header of ["Bearer sk-first-0123456789", "bearer sk-second-abcdefghij", "Bearer  sk-first-0123456789 "]) {
      expect((await app.request("/v1/models", { headers: { authorization: header } })).status).toBe(200);
    }
    for (const header of ["Basic sk-first-0123456789", "sk-first-0123456789", "Bearer sk-first-012345678", "Bearer sk-first-0123456789x", "Bearer "]) {
      expect((await app.request("/v1/models", { headers: { authorization: header } })).status).toBe(401);
    }
  });

  it("guards generation, /tokenize and /metrics, but not /health", async () => {
    const { app, engine } = build({}, { apiKeys: keys });
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(401);
    expect((await post(app, "/v1/completions", { model: "base", prompt: "x" })).status).toBe(401);
    expect((await post(app, "/tokenize", { content: "x" })).status).toBe(401);
    expect((await app.request("/metrics")).status).toBe(401);
    expect(engine.calls).toHaveLength(0);
    expect((await app.request("/health")).status).toBe(200);
    expect((await app.request("/metrics", { headers: { authorization: `Bearer ${keys[0]}` } })).status).toBe(200);
    expect((await post(app, "/v1/chat/completions", hi, { headers: { authorization: `Bearer ${keys[1]}` } })).status).toBe(200);
  });

  it("never puts a key, right or wrong, in a request record", async () => {
    const { app, records } = build({}, { apiKeys: keys });
    await post(app, "/v1/chat/completions", hi, { headers: { authorization: `Bearer ${keys[0]}` } });
    await post(app, "/v1/chat/completions", hi, { headers: { authorization: "Bearer sk-guess-777777" } });
    expect(records).toHaveLength(2);
    const text = JSON.stringify(records);
    expect(text).not.toContain(keys[0]);
    expect(text).not.toContain("sk-guess-777777");
    expect(records.map((record) => record.status)).toEqual([200, 401]);
  });

  it("rejects building an app guard with no key (no keys means no guard at all)", async () => {
    const { app } = build({}, { apiKeys: [] });
    expect((await app.request("/v1/models")).status).toBe(200);
  });
});

describe("CORS", () => {
  const origin = "https://chat.example.com";

  it("is off by default: no CORS headers, a preflight is not answered as one, and other origins get 403", async () => {
    const { app } = build();
    const preflight = await app.request("/v1/chat/completions", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const get = await app.request("/v1/models", { headers: { origin } });
    expect(get.status).toBe(403);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers preflights for allowed origins (before auth) and lets browsers read answers and errors", async () => {
    const { app } = build({}, { corsOrigins: [origin], apiKeys: ["sk-browser-key-1234"] });
    const preflight = await app.request("/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");

    const unauthorized = await post(app, "/v1/chat/completions", hi, { headers: { origin } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe(origin);

    const ok = await post(app, "/v1/chat/completions", hi, { headers: { origin, authorization: "Bearer sk-browser-key-1234" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(origin);
    expect(ok.headers.get("access-control-expose-headers")).toContain("x-request-id");

    const other = await app.request("/v1/models", { headers: { origin: "https://evil.example.net", authorization: "Bearer sk-browser-key-1234" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows any origin with *", async () => {
    const { app } = build({}, { corsOrigins: ["*"] });
    expect((await app.request("/v1/models", { headers: { origin: "http://localhost:3000" } })).headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("limits", () => {
  it("refuses more messages than maxMessages, and more prompts than it on /v1/completions", async () => {
    const { app, engine } = build({}, { limits: { maxMessages: 3 } });
    const three = [
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
    ];
    expect((await post(app, "/v1/chat/completions", { ...hi, messages: three })).status).toBe(200);
    const four = await post(app, "/v1/chat/completions", { ...hi, messages: [{ role: "system", content: "s" }, ...three] });
    expect(four.status).toBe(400);
    expect(await errorOf(four)).toMatchObject({ param: "messages", code: "too_many_messages" });
    const prompts = await post(app, "/v1/completions", { model: "base", prompt: ["a", "b", "c", "d"] });
    expect(prompts.status).toBe(400);
    expect(await errorOf(prompts)).toMatchObject({ param: "prompt", code: "too_many_prompts" });
    expect(engine.calls).toHaveLength(1);
  });

  it("refuses more characters than maxInputChars, counted over every message, part and prompt", async () => {
    const { app, engine } = build({}, { limits: { maxInputChars: 100 } });
    const fits = {
      ...hi,
      messages: [
        { role: "system", content: "x".repeat(40) },
        { role: "user", content: [{ type: "text", text: "y".repeat(60) }] },
      ],
    };
    expect((await post(app, "/v1/chat/completions", fits)).status).toBe(200);
    const over = {
      ...hi,
      messages: [
        { role: "system", content: "x".repeat(41) },
        { role: "user", content: [{ type: "text", text: "y".repeat(60) }] },
      ],
    };
    const response = await post(app, "/v1/chat/completions", over);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ param: "messages", code: "input_too_long" });
    expect(error.message).toContain("101 characters");
    expect((await post(app, "/v1/completions", { model: "base", prompt: ["x".repeat(50), "y".repeat(51)] })).status).toBe(400);
    expect(engine.calls).toHaveLength(1);
  });

  it("refuses max_tokens above the ceiling, and gives a request that names none the ceiling (not the whole context)", async () => {
    const { app, engine } = build({ contextSize: 4096 }, { limits: { maxTokens: 50 } });
    const over = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 51 });
    expect(over.status).toBe(400);
    expect(await errorOf(over)).toMatchObject({ param: "max_tokens", code: "max_tokens_too_large" });
    const overCompletion = await post(app, "/v1/chat/completions", { ...hi, max_completion_tokens: 51 });
    expect(overCompletion.status).toBe(400);
    expect((await post(app, "/v1/chat/completions", { ...hi, max_tokens: 50 })).status).toBe(200);
    expect(engine.lastCall().options.maxTokens).toBe(50);
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(200);
    expect(engine.lastCall().options.maxTokens).toBe(50);
    expect((await post(app, "/v1/completions", { model: "base", prompt: "x", max_tokens: 51 })).status).toBe(400);
  });

  it("reports max_tokens above the ceiling as max_tokens_too_large even when the context could not hold it either (one code per mistake)", async () => {
    const { app } = build({ contextSize: 1000 }, { limits: { maxTokens: 50 } });
    const response = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 5000 });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ param: "max_tokens", code: "max_tokens_too_large" });
    const fitsCeilingNotContext = await post(app, "/v1/chat/completions", { ...hi, messages: [{ role: "user", content: "x".repeat(990) }], max_tokens: 50 });
    expect((await errorOf(fitsCeilingNotContext)).code).toBe("context_length_exceeded");
  });

  it("refuses a body that is not UTF-8 with a 400, not a replacement character", async () => {
    const { app, engine } = build();
    const bytes = Buffer.concat([Buffer.from('{"model":"urial","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]);
    const response = await post(app, "/v1/chat/completions", new Uint8Array(bytes));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "invalid_encoding", type: "invalid_request_error" });
    expect(engine.calls).toHaveLength(0);
  });
});

describe("the wall-clock limit", () => {
  it("stops a non-streamed generation at the limit: 504, the sequence freed", async () => {
    const { app, engine, records } = build({ script: longScript, tokenDelayMs: 20 }, { limits: { requestTimeoutMs: 150 } });
    const response = await post(app, "/v1/chat/completions", hi);
    expect(response.status).toBe(504);
    const error = await errorOf(response);
    expect(error).toMatchObject({ type: "timeout_error", code: "request_timeout" });
    expect(error.message).toContain("0.15 s");
    expect(engine.lastCall().outcome).toBe("aborted");
    expect(engine.lastCall().tokens).toBeLessThan(longScript.length);
    expect(engine.released).toBe(1);
    expect(engine.status()).toEqual({ busySequences: 0, queued: 0 });
    expect(records[0]).toMatchObject({ status: 504, error: { code: "request_timeout" } });
  });

  it("ends a stream that has begun with a request_timeout error event, no [DONE]", async () => {
    const { app, engine, records } = build({ script: longScript, tokenDelayMs: 20 }, { limits: { requestTimeoutMs: 200 } });
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true });
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: "request_timeout", type: "timeout_error" } });
    await waitFor(() => engine.released === 1);
    expect(engine.status().busySequences).toBe(0);
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 200, streamError: true, error: { code: "request_timeout" } });
  });

  it("counts time spent waiting in the queue: a queued request times out with 504 and leaves the queue", async () => {
    const { app, engine } = build({ parallel: 1, maxQueue: 2 }, { limits: { requestTimeoutMs: 150 } });
    // The only sequence is taken (as by a long generation) for the whole test.
    const held = await engine.acquire(fakeTokenize("x"));
    const queued = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().queued === 1);
    const response = await queued;
    expect(response.status).toBe(504);
    expect((await errorOf(response)).code).toBe("request_timeout");
    expect(engine.status()).toEqual({ busySequences: 1, queued: 0 });
    expect(engine.calls).toHaveLength(0);
    held.release();
  });

  it("frees the sequence of a stream whose client stopped reading, at the limit", async () => {
    const { app, engine } = build({ script: longScript.repeat(20), tokenDelayMs: 0 }, { limits: { requestTimeoutMs: 200 } });
    const response = await post(app, "/v1/completions", { model: "base", prompt: "x", stream: true });
    expect(response.status).toBe(200);
    // Nobody reads the body: the writes stall until the limit stops the request.
    await waitFor(() => engine.released === 1);
    expect(engine.status().busySequences).toBe(0);
    await response.body!.cancel();
  });

  it("lets a request that ends in time through untouched (0 disables the limit)", async () => {
    const { app } = build({ tokenDelayMs: 1 }, { limits: { requestTimeoutMs: 0 } });
    expect((await post(app, "/v1/chat/completions", hi)).status).toBe(200);
  });
});

describe("streams that fail before their first token", () => {
  it("get their own HTTP status instead of a 200 carrying an error", async () => {
    const { app, engine } = build({ failAfterTokens: 0 });
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await errorOf(response)).toMatchObject({ code: "engine_error" });
    expect(engine.released).toBe(1);
    const completion = await post(app, "/v1/completions", { model: "base", prompt: "x", stream: true });
    expect(completion.status).toBe(500);
    expect(engine.released).toBe(2);
  });
});

describe("graceful shutdown", () => {
  it("lets a running stream finish, refuses new requests with 503, then reports it finished", async () => {
    const { app, engine, tracker } = build({ script: longScript.slice(0, 40), tokenDelayMs: 10 });
    const running = post(app, "/v1/chat/completions", { ...hi, stream: true });
    await waitFor(() => engine.calls.length === 1);
    const drained = tracker.drain({ deadlineMs: 5000, abortReason: shuttingDown });
    expect(tracker.draining).toBe(true);
    const refused = await post(app, "/v1/chat/completions", hi);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await errorOf(refused)).toMatchObject({ code: "server_shutting_down" });
    const data = sseData(await (await running).text());
    expect(data.at(-1)).toBe("[DONE]");
    expect(await drained).toEqual({ finished: 1, stoppedWaiting: 0, aborted: 0, remaining: 0 });
    expect(engine.calls).toHaveLength(1);
    expect(engine.lastCall().outcome).toBe("eos");
  });

  it("stops what is still running at the deadline: 503 for a waiting answer, an error event on a stream", async () => {
    const { app, engine, tracker } = build({ script: longScript.repeat(4), tokenDelayMs: 10, parallel: 2 });
    const plain = post(app, "/v1/chat/completions", hi);
    // Read as a client would, while the server drains.
    const streamed = post(app, "/v1/chat/completions", { ...hi, stream: true }).then((response) => response.text());
    await waitFor(() => engine.calls.length === 2 && engine.calls.every((call) => call.tokens > 0));
    const result = await tracker.drain({ deadlineMs: 50, abortReason: shuttingDown, graceMs: 2000 });
    expect(result).toEqual({ finished: 0, stoppedWaiting: 0, aborted: 2, remaining: 0 });
    const plainResponse = await plain;
    expect(plainResponse.status).toBe(503);
    expect((await errorOf(plainResponse)).code).toBe("server_shutting_down");
    const data = sseData(await streamed);
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: "server_shutting_down" } });
    expect(engine.calls.map((call) => call.outcome)).toEqual(["aborted", "aborted"]);
    expect(engine.status()).toEqual({ busySequences: 0, queued: 0 });
  });
});
