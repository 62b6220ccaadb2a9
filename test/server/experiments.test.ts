/**
 * Online A/B experiments through the HTTP app on the deterministic fake
 * engine: model ids, sticky assignment, the QA override header, variant
 * echo in headers and body, sampling and system prompt overrides, one
 * outcome line per request, feedback, per-variant statistics, rebuilding
 * them from the log, and prefixes that stay warm under interleaved traffic.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignVariant } from "../../src/ab/online/assign-variant.js";
import { ExperimentRegistry } from "../../src/ab/online/experiment-registry.js";
import { parseExperiments } from "../../src/ab/online/load-experiments.js";
import type { OutcomeEntry, RequestOutcome } from "../../src/ab/online/outcome-entry.js";
import { wilsonInterval } from "../../src/ab/statistics/wilson-interval.js";
import { exemplarExchanges, type Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine, type FakeEngineOptions } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let dir = "";
let catalog: Catalog;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-ab-server-"));
  await cp(fixtures("exemplars"), join(dir, "exemplars"), { recursive: true });
  await cp(fixtures("system-prompts"), join(dir, "system-prompts"), { recursive: true });
  await writeFile(
    join(dir, "system-prompts", "terse.json"),
    JSON.stringify({ name: "terse", version: "1.0.0", description: "A terse helper.", text: "# Instruction\n\nA terse helper answers in one line." }),
  );
  catalog = await loadCatalog({ exemplarsDir: join(dir, "exemplars"), systemPromptsDir: join(dir, "system-prompts"), defaultSet: "tiny" });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const experiments = parseExperiments(
  JSON.stringify({
    experiments: [
      {
        id: "tiny-ab",
        description: "one exemplar or two",
        variants: [
          { name: "one", exemplars: "tiny" },
          { name: "two", exemplars: "tiny-two", sampling: { temperature: 0.3, max_tokens: 40 } },
        ],
      },
      {
        id: "prompt-swap",
        model: "urial",
        sticky: ["header:x-session-id", "user"],
        variants: [
          { name: "own", exemplars: "tiny" },
          { name: "terse", exemplars: "tiny", systemPrompt: "terse", weight: 0 },
        ],
      },
    ],
  }),
  "experiments.json",
);

interface Built {
  app: Hono;
  engine: FakeEngine;
  registry: ExperimentRegistry;
  log: OutcomeEntry[];
}

function build(options: FakeEngineOptions = {}, logText = false, engineSharedLog?: OutcomeEntry[]): Built {
  const engine = new FakeEngine(options);
  const log: OutcomeEntry[] = engineSharedLog ?? [];
  const registry = new ExperimentRegistry({ experiments, log: { append: (entry) => log.push(entry) }, logText });
  return { engine, registry, log, app: createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, experiments: registry }) };
}

function chat(app: Hono, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "urial/ab/tiny-ab", messages: [{ role: "user", content: "Tell me about a fox." }], temperature: 0, ...body }),
    }),
  );
}

function postJson(app: Hono, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
}

/** A user the hash assigns to variant `index` of tiny-ab. */
function userFor(index: number, skip = 0): string {
  let found = 0;
  for (let n = 0; n < 1000; n += 1) {
    const user = `user-${n}`;
    if (assignVariant(experiments[0]!, { user, header: () => undefined }).index === index && found++ === skip) return user;
  }
  throw new Error("no such user");
}

const requestLines = (log: OutcomeEntry[]) => log.filter((entry): entry is RequestOutcome => entry.type === "request");

describe("experiment model ids", () => {
  it("are listed and fetchable as models", async () => {
    const { app } = build();
    const list = (await (await app.request("/v1/models")).json()) as { data: { id: string }[] };
    expect(list.data.map((model) => model.id)).toContain("urial/ab/tiny-ab");
    expect(list.data.filter((model) => model.id === "urial")).toHaveLength(1);
    expect((await app.request(`/v1/models/${encodeURIComponent("urial/ab/tiny-ab")}`)).status).toBe(200);
  });

  it("leave other model ids alone", async () => {
    const { app, log } = build();
    const response = await chat(app, { model: "urial/tiny-two" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-urial-variant")).toBeNull();
    expect(((await response.json()) as Record<string, unknown>).urial_experiment).toBeUndefined();
    expect(log).toEqual([]);
  });
});

describe("assignment", () => {
  it("gives a user the same variant on every request and echoes it in headers and body", async () => {
    const { app } = build();
    for (const index of [0, 1]) {
      const user = userFor(index);
      const expected = experiments[0]!.variants[index]!;
      const set = catalog.sets.get(expected.exemplars)!;
      for (let repeat = 0; repeat < 3; repeat += 1) {
        const response = await chat(app, { user });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-urial-experiment")).toBe("tiny-ab");
        expect(response.headers.get("x-urial-variant")).toBe(expected.name);
        expect(response.headers.get("x-urial-exemplar-set")).toBe(`${set.name}@${set.version}`);
        const body = (await response.json()) as { urial_experiment: unknown; system_fingerprint: string; model: string };
        expect(body.urial_experiment).toEqual({ id: "tiny-ab", variant: expected.name });
        expect(body.system_fingerprint).toBe(`fp_${set.hash}`);
        expect(body.model).toBe("urial/ab/tiny-ab");
      }
    }
  });

  it("sends the variant in every stream chunk", async () => {
    const { app } = build();
    const response = await chat(app, { user: userFor(1), stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get("x-urial-variant")).toBe("two");
    const chunks = (await response.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: {"))
      .map((event) => JSON.parse(event.slice(6)) as { urial_experiment: unknown });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.urial_experiment).toEqual({ id: "tiny-ab", variant: "two" });
  });

  it("applies the variant's sampling overrides over the request's", async () => {
    const { app, engine } = build();
    await chat(app, { user: userFor(1), temperature: 1.5, max_tokens: 200 });
    expect(engine.lastCall().options.sampling.temperature).toBe(0.3);
    expect(engine.lastCall().options.maxTokens).toBe(40);
    await chat(app, { user: userFor(0), temperature: 1.5, max_tokens: 200 });
    expect(engine.lastCall().options.sampling.temperature).toBe(1.5);
    expect(engine.lastCall().options.maxTokens).toBe(200);
  });

  it("takes x-urial-variant as an override, including a weight-0 variant, and refuses an unknown name", async () => {
    const { app, engine, log } = build();
    const response = await chat(app, { model: "urial", user: "anyone" }, { "x-urial-variant": "terse" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-urial-variant")).toBe("terse");
    expect(engine.lastCall().promptText.startsWith("# Instruction\n\nA terse helper answers in one line.")).toBe(true);
    const body = (await response.json()) as { system_fingerprint: string };
    expect(body.system_fingerprint).not.toBe(`fp_${catalog.sets.get("tiny")!.hash}`);
    expect(requestLines(log).at(-1)).toMatchObject({ experiment: "prompt-swap", variant: "terse", assigned_by: "override" });

    const bad = await chat(app, {}, { "x-urial-variant": "nope" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        message: "The x-urial-variant header names no variant of experiment 'tiny-ab'. Variants: one, two.",
        type: "invalid_request_error",
        param: "x-urial-variant",
        code: "variant_not_found",
      },
    });
  });

  it("splits by a header before the user when the experiment says so, and never assigns a weight-0 variant", async () => {
    const { app, log } = build();
    for (let n = 0; n < 20; n += 1) {
      const response = await chat(app, { model: "urial", user: `u${n}` }, { "x-session-id": `s${n}` });
      expect(response.headers.get("x-urial-variant")).toBe("own");
    }
    expect(new Set(requestLines(log).map((line) => line.assigned_by))).toEqual(new Set(["header:x-session-id"]));
  });
});

describe("the outcome log", () => {
  it("has one line per request with ids, hashes, token counts and timings, and no text by default", async () => {
    const { app, log } = build({ tokenDelayMs: 2 });
    const user = userFor(0);
    const response = await chat(app, { user });
    const body = (await response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
      choices: { message: { content: string } }[];
    };
    const streamed = await chat(app, { user, stream: true });
    await streamed.text();
    await chat(app, { user, messages: [{ role: "user", content: "Something else." }] });

    const lines = requestLines(log);
    expect(lines).toHaveLength(3);
    const [first, second, third] = lines as [RequestOutcome, RequestOutcome, RequestOutcome];
    expect(first).toMatchObject({
      type: "request",
      request_id: response.headers.get("x-request-id"),
      experiment: "tiny-ab",
      variant: "one",
      assigned_by: "user",
      model: "urial/ab/tiny-ab",
      exemplar_set: "tiny@1.0.0",
      status: 200,
      stream: false,
      prompt_tokens: body.usage.prompt_tokens,
      completion_tokens: body.usage.completion_tokens,
      cached_tokens: body.usage.prompt_tokens_details.cached_tokens,
      answer_chars: body.choices[0]!.message.content.length,
      finish_reason: "stop",
      cut: null,
      choices: 1,
      error: null,
    });
    expect(first.variant_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.prompt_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(first.time)).not.toBeNaN();
    expect(first.ttft_ms).toBeGreaterThan(0);
    expect(first.latency_ms).toBeGreaterThanOrEqual(first.ttft_ms!);
    expect(second).toMatchObject({ stream: true, prompt_hash: first.prompt_hash, variant_hash: first.variant_hash });
    expect(third.prompt_hash).not.toBe(first.prompt_hash);
    for (const line of lines) {
      expect(line).not.toHaveProperty("messages");
      expect(line).not.toHaveProperty("output");
    }
  });

  it("holds the messages and answers only with text logging on", async () => {
    const { app, log } = build({}, true);
    const response = await chat(app, { user: userFor(0), n: 2, seed: 1 });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    const [line] = requestLines(log);
    expect(line!.messages).toEqual([{ role: "user", content: "Tell me about a fox." }]);
    expect(line!.output).toEqual(body.choices.map((choice) => choice.message.content));
    expect(line!.choices).toBe(2);
  });

  it("logs a request that failed after assignment, with its status and error code", async () => {
    const { app, log } = build({ contextSize: 600 });
    const response = await chat(app, { user: userFor(0), max_tokens: 500 });
    expect(response.status).toBe(400);
    expect(requestLines(log)).toEqual([expect.objectContaining({ status: 400, error: "context_length_exceeded", finish_reason: null, completion_tokens: null })]);
  });
});

describe("feedback and statistics", () => {
  it("records votes on logged requests, replacing a changed vote, and reports rates with Wilson intervals", async () => {
    const { app, log } = build({ tokenDelayMs: 1 });
    const ids: Record<string, string[]> = { one: [], two: [] };
    for (let n = 0; n < 4; n += 1) {
      for (const index of [0, 1]) {
        const response = await chat(app, { user: userFor(index, n) });
        ids[index === 0 ? "one" : "two"]!.push(response.headers.get("x-request-id")!);
      }
    }
    const vote = async (body: unknown) => postJson(app, "/v1/feedback", body);
    // one: 3 up, 1 down (after a change of mind); two: 1 up, 1 down, and two preferences.
    expect((await vote({ request_id: ids.one![0], rating: -1 })).status).toBe(200);
    const changed = await vote({ request_id: ids.one![0], rating: 1 });
    expect(await changed.json()).toEqual({ object: "feedback", request_id: ids.one![0], experiment: "tiny-ab", variant: "one", rating: 1, preferred: null });
    await vote({ request_id: ids.one![1], rating: 1 });
    await vote({ request_id: ids.one![2], rating: 1 });
    await vote({ request_id: ids.one![3], rating: -1 });
    await vote({ request_id: ids.two![0], rating: 1, preferred: true });
    await vote({ request_id: ids.two![1], rating: -1, preferred: false });
    expect(log.filter((entry) => entry.type === "feedback")).toHaveLength(7);

    const stats = (await (await app.request("/v1/experiments/tiny-ab")).json()) as {
      requests: number;
      since: string;
      variants: {
        name: string;
        requests: number;
        share: number;
        expected_share: number;
        variant_hash: string;
        errors: number;
        latency_ms: { value: number; low: number; high: number; p50: number; p95: number; n: number };
        ttft_ms: { n: number };
        completion_tokens: { value: number; n: number };
        answer_chars: { value: number };
        finish_reasons: { stop: number; length: number };
        feedback: { ratings: number; positive_rate: unknown; preferences: number; preferred_rate: unknown };
      }[];
    };
    expect(stats.requests).toBe(8);
    expect(Date.parse(stats.since)).not.toBeNaN();
    const [one, two] = stats.variants;
    expect(one).toMatchObject({ name: "one", requests: 4, share: 0.5, expected_share: 0.5, errors: 0, finish_reasons: { stop: 4, length: 0 } });
    expect(one!.variant_hash).toBe(requestLines(log).find((line) => line.variant === "one")!.variant_hash);
    expect(one!.latency_ms.n).toBe(4);
    expect(one!.latency_ms.low).toBeLessThanOrEqual(one!.latency_ms.value);
    expect(one!.latency_ms.high).toBeGreaterThanOrEqual(one!.latency_ms.value);
    expect(one!.latency_ms.p95).toBeGreaterThanOrEqual(one!.latency_ms.p50);
    expect(one!.completion_tokens).toMatchObject({ value: "Hello from the fake engine.".length, n: 4 });
    expect(one!.answer_chars.value).toBe("Hello from the fake engine.".length);
    expect(one!.feedback).toEqual({ ratings: 4, positive_rate: wilsonInterval(3, 4), preferences: 0, preferred_rate: { value: null, low: null, high: null, n: 0 } });
    expect(two!.feedback).toEqual({ ratings: 2, positive_rate: wilsonInterval(1, 2), preferences: 2, preferred_rate: wilsonInterval(1, 2) });
  });

  it("answers feedback errors in OpenAI's shape", async () => {
    const { app } = build();
    const unknown = await postJson(app, "/v1/feedback", { request_id: "req_nope", rating: 1 });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "request_not_found", param: "request_id" });
    const noVote = await postJson(app, "/v1/feedback", { request_id: "req_x" });
    expect(noVote.status).toBe(400);
    expect(((await noVote.json()) as { error: { message: string; param: string } }).error).toMatchObject({ param: "rating", message: "Invalid request: 'rating' needs 'rating' or 'preferred'." });
    const badRating = await postJson(app, "/v1/feedback", { request_id: "req_x", rating: 5 });
    expect(((await badRating.json()) as { error: { message: string } }).error.message).toBe("Invalid request: 'rating' must be 1 (good) or -1 (bad).");
  });

  it("lists experiments, 404s an unknown one, and 404s everything without --experiments", async () => {
    const { app } = build();
    const list = (await (await app.request("/v1/experiments")).json()) as { data: { id: string; model: string }[] };
    expect(list.data.map((item) => [item.id, item.model])).toEqual([
      ["tiny-ab", "urial/ab/tiny-ab"],
      ["prompt-swap", "urial"],
    ]);
    const unknown = await app.request("/v1/experiments/nope");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("experiment_not_found");

    const engine = new FakeEngine();
    const plain = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 });
    for (const response of [await plain.request("/v1/experiments/tiny-ab"), await postJson(plain, "/v1/feedback", { request_id: "x", rating: 1 })]) {
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("experiments_not_enabled");
    }
  });

  it("rebuilds the same statistics from the outcome log after a restart", async () => {
    const first = build();
    for (let n = 0; n < 3; n += 1) {
      const response = await chat(first.app, { user: userFor(n % 2, n) });
      await postJson(first.app, "/v1/feedback", { request_id: response.headers.get("x-request-id"), rating: n === 1 ? -1 : 1 });
    }
    const restarted = new ExperimentRegistry({ experiments });
    const counts = restarted.replay(first.log, restarted.currentHashes(catalog));
    expect(counts).toEqual({ requests: 3, feedback: 3, skipped: 0 });
    const strip = (body: unknown) => JSON.parse(JSON.stringify(body, (key, value: unknown) => (key === "p50" || key === "p95" ? undefined : value))) as unknown;
    expect(strip(restarted.stats("tiny-ab", catalog))).toEqual(strip(first.registry.stats("tiny-ab", catalog)));
    // Lines of a variant whose content changed since are not counted.
    const changed = new ExperimentRegistry({ experiments });
    expect(changed.replay(first.log, () => "0000000000000000")).toEqual({ requests: 0, feedback: 0, skipped: 6 });
  });
});

describe("variants stay warm under interleaved traffic", () => {
  /** Sends A, B, A, B, … with a new query each time and returns each response's cached_tokens. */
  async function interleave(parallel: number): Promise<{ variant: string; cached: number; prefix: number }[]> {
    const { app } = build({ parallel });
    const results: { variant: string; cached: number; prefix: number }[] = [];
    for (let n = 0; n < 8; n += 1) {
      const variant = n % 2 === 0 ? "one" : "two";
      const response = await chat(app, { messages: [{ role: "user", content: `Question number ${n}?` }] }, { "x-urial-variant": variant });
      const body = (await response.json()) as { usage: { prompt_tokens_details: { cached_tokens: number } } };
      const set = catalog.sets.get(variant === "one" ? "tiny" : "tiny-two")!;
      const prefix = renderUrialPrompt({ system: set.systemPrompt, exemplars: exemplarExchanges(set), history: [], query: "x", template: set.template }).prefixLength;
      results.push({ variant, cached: body.usage.prompt_tokens_details.cached_tokens, prefix });
    }
    return results;
  }

  it("reuses each variant's whole prefix with one sequence per variant, where one shared sequence re-evaluates it on every switch", async () => {
    const warm = await interleave(2);
    for (const result of warm.slice(2)) expect(result.cached).toBeGreaterThanOrEqual(result.prefix);
    const cold = await interleave(1);
    for (const result of cold.slice(1)) expect(result.cached).toBeLessThan(result.prefix);
    const total = (results: { cached: number }[]) => results.reduce((sum, result) => sum + result.cached, 0);
    expect(total(warm)).toBeGreaterThan(total(cold) * 1.5);
  });
});
