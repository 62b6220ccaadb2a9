/**
 * The request log: one JSON line (or one short line on a terminal) per
 * request with its id, model, status, tokens and timings; prompt text only
 * when enabled; probes not logged; nothing a hostile client sends can forge
 * a line.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { formatJsonLine, formatPrettyLine, toRequestLogEntry, type RequestLogEntry } from "../../src/telemetry/format-request-log.js";
import { startRecord, type RequestRecord } from "../../src/telemetry/request-record.js";
import { createRequestLogger } from "../../src/telemetry/request-logger.js";
import { FakeEngine } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

function finished(overrides: Partial<RequestRecord> = {}): RequestRecord {
  const record = startRecord("req_abc", "POST", "/v1/chat/completions");
  return {
    ...record,
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    startedAtMs: 1000,
    firstTokenAtMs: 1045.26,
    endedAtMs: 1120,
    status: 200,
    model: "urial",
    variant: "tiny",
    stream: false,
    usage: { promptTokens: 312, completionTokens: 24, cachedTokens: 300 },
    finishes: [{ reason: "stop", cut: "block" }],
    input: [{ role: "user", content: "my secret question" }],
    ...overrides,
  };
}

describe("toRequestLogEntry", () => {
  it("has the request id, model, status, tokens and timings, and no prompt unless asked", () => {
    const entry = toRequestLogEntry(finished());
    expect(entry).toEqual({
      time: "2026-01-02T03:04:05.000Z",
      level: "info",
      msg: "request",
      request_id: "req_abc",
      method: "POST",
      path: "/v1/chat/completions",
      route: "/v1/chat/completions",
      status: 200,
      model: "urial",
      variant: "tiny",
      stream: false,
      prompt_tokens: 312,
      completion_tokens: 24,
      cached_tokens: 300,
      ttft_ms: 45.3,
      duration_ms: 120,
      finish_reasons: ["stop:block"],
    } satisfies RequestLogEntry);
    expect(JSON.stringify(entry)).not.toContain("my secret question");
    expect(toRequestLogEntry(finished(), { includePrompts: true }).prompt).toEqual([{ role: "user", content: "my secret question" }]);
  });

  it("levels: warn for 4xx, error for 5xx and for an error inside a stream", () => {
    expect(toRequestLogEntry(finished({ status: 404, error: { type: "invalid_request_error", code: "model_not_found", message: "No." } })).level).toBe("warn");
    expect(toRequestLogEntry(finished({ status: 502 })).level).toBe("error");
    const streamed = toRequestLogEntry(finished({ status: 200, streamError: true, error: { type: "timeout_error", code: "request_timeout", message: "Too slow." } }));
    expect(streamed.level).toBe("error");
    expect(streamed.error).toEqual({ type: "timeout_error", code: "request_timeout", message: "Too slow.", in_stream: true });
  });

  it("shortens a long hostile path", () => {
    expect(toRequestLogEntry(finished({ path: `/v1/${"a".repeat(5000)}` })).path.length).toBeLessThanOrEqual(201);
  });
});

describe("formatters", () => {
  it("writes one JSON object per line", () => {
    const line = formatJsonLine(toRequestLogEntry(finished({ path: "/v1/x\ny" })));
    expect(line.includes("\n")).toBe(false);
    expect(JSON.parse(line)).toMatchObject({ request_id: "req_abc", status: 200 });
  });

  it("writes a short line for people, with control characters escaped", () => {
    expect(formatPrettyLine(toRequestLogEntry(finished()))).toBe("03:04:05 POST /v1/chat/completions 200 urial · 312+24 tok (300 cached) · ttft 45.3 ms · 120 ms · stop:block · req_abc");
    const forged = formatPrettyLine(toRequestLogEntry(finished({ path: "/v1/x\n03:04:06 POST /admin 200", model: undefined, usage: undefined, firstTokenAtMs: undefined, finishes: [] })));
    expect(forged.includes("\n")).toBe(false);
    expect(forged).toContain("\\u000a");
  });
});

describe("the request log of a running app", () => {
  it("logs each request once its response is done (a stream after its last byte), JSON on stdout-like output", async () => {
    const lines: string[] = [];
    const engine = new FakeEngine({ script: "Sure! A short answer." });
    const app = createApp({
      engine: () => engine,
      catalog,
      systemMessageMode: "append",
      maxBodyBytes: 1 << 20,
      onRequestDone: createRequestLogger({ format: "json", write: (line) => lines.push(line) }),
    });
    const hi = { model: "urial", messages: [{ role: "user", content: "private words" }], temperature: 0 };
    const plain = await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json", "x-request-id": "client-1" }, body: JSON.stringify(hi) });
    const usage = ((await plain.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    const streamed = await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...hi, stream: true }) });
    expect(lines).toHaveLength(1);
    await streamed.text();
    expect(lines).toHaveLength(2);
    await app.request("/health");
    await app.request("/metrics");
    await app.request("/v1/models");
    expect(lines).toHaveLength(3);
    const [first, second, third] = lines.map((line) => JSON.parse(line) as RequestLogEntry);
    expect(first).toMatchObject({
      request_id: "client-1",
      status: 200,
      model: "urial",
      variant: "tiny",
      stream: false,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
    });
    expect(first!.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(second).toMatchObject({ status: 200, stream: true, finish_reasons: ["stop"] });
    expect(second!.completion_tokens).toBeGreaterThan(0);
    expect(third).toMatchObject({ route: "/v1/models", status: 200, model: null, prompt_tokens: null });
    expect(lines.join("\n")).not.toContain("private words");
  });

  it("includes the messages with prompt logging on; logs /metrics refused, not /health loading", async () => {
    const lines: string[] = [];
    const engine = new FakeEngine();
    const app = createApp({
      engine: () => undefined,
      catalog,
      systemMessageMode: "append",
      maxBodyBytes: 1 << 20,
      apiKeys: ["sk-metrics-key"],
      onRequestDone: createRequestLogger({ format: "json", includePrompts: true, write: (line) => lines.push(line) }),
    });
    expect((await app.request("/health")).status).toBe(503);
    await app.request("/metrics");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ route: "/metrics", status: 401 });
    const loggedApp = createApp({
      engine: () => engine,
      catalog,
      systemMessageMode: "append",
      maxBodyBytes: 1 << 20,
      onRequestDone: createRequestLogger({ format: "json", includePrompts: true, write: (line) => lines.push(line) }),
    });
    await loggedApp.request("/v1/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "base", prompt: "tell the log" }) });
    expect(JSON.parse(lines[1]!)).toMatchObject({ prompt: "tell the log", variant: "base" });
  });
});
