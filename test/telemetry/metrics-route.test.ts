/**
 * `GET /metrics` scraped over the fake engine: request counts by route,
 * status and model, tokens in and out, latency and TTFT histograms, prefix
 * cache hits and misses with the cached-token ratio, per-variant counters,
 * and the pool's live state. Labels stay bounded under hostile input.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { ServerMetrics, stopReasonLabel } from "../../src/telemetry/server-metrics.js";
import { FakeEngine } from "../support/fake-engine.js";
import { parsePrometheusText, sampleValue, type Sample } from "../support/prometheus-text.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

function post(app: Hono, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
}

async function scrape(app: Hono): Promise<Sample[]> {
  const response = await app.request("/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parsePrometheusText(await response.text());
}

async function waitFor(condition: () => boolean, limitMs = 3000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const hi = { model: "urial", messages: [{ role: "user", content: "Hi" }], temperature: 0 };

describe("GET /metrics", () => {
  it("counts requests by route, status and model, with bounded labels for unknown models and paths", async () => {
    const engine = new FakeEngine({ script: "Sure! A short answer." });
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    await post(app, "/v1/chat/completions", hi);
    await post(app, "/v1/chat/completions", { ...hi, model: "urial/tiny-two" });
    await post(app, "/v1/chat/completions", { ...hi, model: "no-such-model-0001" });
    await post(app, "/v1/chat/completions", { ...hi, model: "no-such-model-0002" });
    await app.request("/v1/does/not/exist/1");
    await app.request("/v1/does/not/exist/2");
    const samples = await scrape(app);
    expect(sampleValue(samples, "urial_requests_total", { route: "/v1/chat/completions", method: "POST", status: "200", model: "urial" })).toBe(1);
    expect(sampleValue(samples, "urial_requests_total", { route: "/v1/chat/completions", status: "200", model: "urial/tiny-two" })).toBe(1);
    expect(sampleValue(samples, "urial_requests_total", { route: "/v1/chat/completions", status: "404", model: "none" })).toBe(2);
    expect(sampleValue(samples, "urial_requests_total", { route: "other", method: "GET", status: "404" })).toBe(2);
    const models = new Set(samples.filter((sample) => sample.name === "urial_requests_total").map((sample) => sample.labels.model));
    expect([...models].sort()).toEqual(["none", "urial", "urial/tiny-two"]);
    expect(sampleValue(samples, "urial_request_duration_seconds_count", { route: "/v1/chat/completions", model: "urial" })).toBe(1);
    expect(sampleValue(samples, "urial_time_to_first_token_seconds_count", { route: "/v1/chat/completions", model: "urial" })).toBe(1);
    expect(sampleValue(samples, "urial_time_to_first_token_seconds_count", { model: "none" })).toBeUndefined();
  });

  it("adds up tokens in and out, prefix-cache hits and misses, the cached-token ratio and per-variant counters", async () => {
    const engine = new FakeEngine({ script: "Sure! A short answer." });
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    const usages: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } }[] = [];
    for (let index = 0; index < 3; index += 1) {
      usages.push(((await (await post(app, "/v1/chat/completions", hi)).json()) as { usage: (typeof usages)[number] }).usage);
    }
    const raw = (await (await post(app, "/v1/completions", { model: "base", prompt: "Once upon", max_tokens: 4 })).json()) as { usage: (typeof usages)[number] };
    const samples = await scrape(app);
    const chatPrompt = usages.reduce((sum, usage) => sum + usage.prompt_tokens, 0);
    const chatCached = usages.reduce((sum, usage) => sum + usage.prompt_tokens_details.cached_tokens, 0);
    expect(usages[0]!.prompt_tokens_details.cached_tokens).toBe(0);
    expect(usages[1]!.prompt_tokens_details.cached_tokens).toBeGreaterThan(usages[1]!.prompt_tokens / 2);

    expect(sampleValue(samples, "urial_prompt_tokens_total", { route: "/v1/chat/completions", model: "urial" })).toBe(chatPrompt);
    expect(sampleValue(samples, "urial_completion_tokens_total", { route: "/v1/chat/completions", model: "urial" })).toBe(usages.reduce((sum, usage) => sum + usage.completion_tokens, 0));
    expect(sampleValue(samples, "urial_prompt_tokens_total", { route: "/v1/completions", model: "base" })).toBe(raw.usage.prompt_tokens);
    expect(sampleValue(samples, "urial_completion_tokens_total", { route: "/v1/completions", model: "base" })).toBe(4);
    // The first chat request and the raw one start cold; the repeats reuse the prefix.
    expect(sampleValue(samples, "urial_prefix_cache_hits_total", { model: "urial" })).toBe(2);
    expect(sampleValue(samples, "urial_prefix_cache_misses_total", { model: "urial" })).toBe(1);
    expect(sampleValue(samples, "urial_prefix_cache_cached_tokens_total", { model: "urial" })).toBe(chatCached);
    const ratio = sampleValue(samples, "urial_prefix_cache_cached_token_ratio")!;
    expect(ratio).toBeCloseTo((chatCached + raw.usage.prompt_tokens_details.cached_tokens) / (chatPrompt + raw.usage.prompt_tokens), 10);

    expect(sampleValue(samples, "urial_variant_requests_total", { variant: "tiny", status: "200" })).toBe(3);
    expect(sampleValue(samples, "urial_variant_requests_total", { variant: "base", status: "200" })).toBe(1);
    expect(sampleValue(samples, "urial_variant_prompt_tokens_total", { variant: "tiny" })).toBe(chatPrompt);
    expect(sampleValue(samples, "urial_variant_finishes_total", { variant: "tiny", finish_reason: "stop", stop_reason: "none" })).toBe(3);
    expect(sampleValue(samples, "urial_variant_finishes_total", { variant: "base", finish_reason: "length", stop_reason: "none" })).toBe(1);
  });

  it("shows queue depth, busy sequences and requests in flight while they run, and zero after", async () => {
    const engine = new FakeEngine({ script: "x".repeat(300), tokenDelayMs: 5, parallel: 1, maxQueue: 2 });
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    const first = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().busySequences === 1);
    const second = post(app, "/v1/chat/completions", hi);
    await waitFor(() => engine.status().queued === 1);
    const during = await scrape(app);
    expect(sampleValue(during, "urial_busy_sequences")).toBe(1);
    expect(sampleValue(during, "urial_queue_depth")).toBe(1);
    expect(sampleValue(during, "urial_sequences")).toBe(1);
    expect(sampleValue(during, "urial_engine_ready")).toBe(1);
    // The two generations and the scrape itself.
    expect(sampleValue(during, "urial_in_flight_requests")).toBe(3);
    await Promise.all([first, second]);
    const after = await scrape(app);
    expect(sampleValue(after, "urial_busy_sequences")).toBe(0);
    expect(sampleValue(after, "urial_queue_depth")).toBe(0);
    expect(sampleValue(after, "urial_in_flight_requests")).toBe(1);
  });

  it("shows where generated tokens' time went, from the engine's decode status (0 for an engine without one)", async () => {
    const engine = new FakeEngine({ script: "Sure." });
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    expect(sampleValue(await scrape(app), "urial_decode_tokens_total")).toBe(0);
    const status = engine.status.bind(engine);
    engine.status = () => ({ ...status(), decode: { tokens: 120, tokenWaitSeconds: 1.5, consumerSeconds: 0.25, rounds: 40, expiredRounds: 2 } });
    const samples = await scrape(app);
    expect(sampleValue(samples, "urial_decode_tokens_total")).toBe(120);
    expect(sampleValue(samples, "urial_decode_token_wait_seconds_total")).toBe(1.5);
    expect(sampleValue(samples, "urial_decode_consumer_seconds_total")).toBe(0.25);
    expect(sampleValue(samples, "urial_decode_rounds_total")).toBe(40);
    expect(sampleValue(samples, "urial_decode_rounds_expired_total")).toBe(2);
  });

  it("counts errors sent inside a stream, and reports 0 engine readiness while loading", async () => {
    const engine = new FakeEngine({ script: "Sure! A short answer with more words in it.", failAfterTokens: 10 });
    let ready = false;
    const app = createApp({ engine: () => (ready ? engine : undefined), catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    expect(sampleValue(await scrape(app), "urial_engine_ready")).toBe(0);
    ready = true;
    await (await post(app, "/v1/chat/completions", { ...hi, stream: true })).text();
    const samples = await scrape(app);
    expect(sampleValue(samples, "urial_stream_errors_total", { route: "/v1/chat/completions", code: "engine_error" })).toBe(1);
    expect(sampleValue(samples, "urial_engine_ready")).toBe(1);
  });

  it("exports Node.js process metrics when asked (resident memory among them)", async () => {
    const metrics = new ServerMetrics({ engine: () => undefined, processMetrics: true });
    const samples = parsePrometheusText(await metrics.metrics());
    expect(sampleValue(samples, "process_resident_memory_bytes")).toBeGreaterThan(1024 * 1024);
    const plain = parsePrometheusText(await new ServerMetrics({ engine: () => undefined }).metrics());
    expect(sampleValue(plain, "process_resident_memory_bytes")).toBeUndefined();
  });
});

describe("stopReasonLabel", () => {
  it("keeps the label bounded: client stop strings share one value", () => {
    expect([null, "stop", "block", "leak", "repetition"].map((cut) => stopReasonLabel(cut as never))).toEqual(["none", "client_stop", "urial:block", "urial:leak", "urial:repetition"]);
  });
});
