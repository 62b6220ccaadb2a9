/**
 * The remote engine against a scripted OpenAI-compatible upstream on
 * loopback: what it sends upstream, how it counts tokens, how it relays the
 * stream (chunk for chunk), and that the same HTTP layers (URIAL rendering,
 * answer hygiene, usage, disconnects) behave as with the local engine.
 */
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../../src/catalog/catalog.js";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { Engine } from "../../../src/engine/engine.js";
import { startRemoteEngine, type RemoteEngineOptions } from "../../../src/engine/remote/remote-engine.js";
import { createApp } from "../../../src/server/app.js";
import { startScriptedUpstream, streamPieces, textChunk, writeSse, type ScriptedUpstream, type ScriptedUpstreamOptions } from "../../support/scripted-upstream.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  upstream: ScriptedUpstream;
  engine: Engine;
  app: Hono;
  notices: string[];
}

async function setUp(upstreamOptions: ScriptedUpstreamOptions = {}, engineOptions: Partial<RemoteEngineOptions> = {}): Promise<Setup> {
  const upstream = await startScriptedUpstream(upstreamOptions);
  cleanups.push(() => upstream.close());
  const notices: string[] = [];
  const engine = await startRemoteEngine({ url: `${upstream.url}/v1`, parallel: 2, maxQueue: 4, timeoutMs: 2000, onNotice: (line) => notices.push(line), ...engineOptions });
  cleanups.push(() => engine.dispose());
  const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024 });
  return { upstream, engine, app, notices };
}

function post(app: Hono, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...init }));
}

const hi = { model: "urial", messages: [{ role: "user", content: "Tell me about a dog." }], temperature: 0 };

function completionsRequests(upstream: ScriptedUpstream) {
  return upstream.requests.filter((request) => request.path === "/v1/completions").map((request) => request.body as Record<string, unknown>);
}

function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .filter((block) => block.length > 0)
    .map((block) => block.slice("data: ".length));
}

async function waitFor(condition: () => boolean, limitMs = 3000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("startRemoteEngine", () => {
  it("finds the model, the context size and llama-server's /tokenize, and says so", async () => {
    const { engine, notices } = await setUp({ models: ["tiny-base"], maxModelLen: 777 });
    expect(engine.info).toMatchObject({ modelName: "tiny-base", contextSize: 777, parallel: 2, maxQueue: 4, gpu: false });
    expect(engine.info.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("model 'tiny-base', context 777 tokens");
    expect(notices[0]).toContain("by its /tokenize");
  });

  it("prefers a urial upstream's 'base' model, takes --upstream-model, and refuses a model the upstream lacks", async () => {
    expect((await setUp({ models: ["urial", "urial/tiny", "base"] })).engine.info.modelName).toBe("base");
    expect((await setUp({ models: ["a", "b"] }, { model: "b" })).engine.info.modelName).toBe("b");
    const upstream = await startScriptedUpstream({ models: ["a"] });
    cleanups.push(() => upstream.close());
    await expect(startRemoteEngine({ url: upstream.url, parallel: 1, maxQueue: 0, model: "nope" })).rejects.toThrow("the upstream has no model 'nope' (it lists a)");
  });

  it("falls back to 4096 tokens and an estimate when the upstream tells neither", async () => {
    const { engine, notices } = await setUp({ tokenize: "none" });
    expect(engine.info.contextSize).toBe(4096);
    expect(notices[0]).toContain("not reported by the upstream");
    expect(notices[0]).toContain("by estimate");
  });

  it("fails with an UpstreamError when nothing listens", async () => {
    const upstream = await startScriptedUpstream();
    await upstream.close();
    await expect(startRemoteEngine({ url: upstream.url, parallel: 1, maxQueue: 0, timeoutMs: 1000 })).rejects.toMatchObject({ name: "UpstreamError", failure: "unavailable" });
  });

  it("refuses an upstream URL with credentials in it", async () => {
    await expect(startRemoteEngine({ url: "http://user:secret@127.0.0.1:9/v1", parallel: 1, maxQueue: 0 })).rejects.toThrow("must not carry credentials");
  });
});

describe("chat through the remote engine", () => {
  it("sends the rendered URIAL prompt with explicit sampling, and cleans the answer as the local engine would", async () => {
    const { app, upstream, engine } = await setUp({
      completions: (_body, response) =>
        writeSse(
          response,
          ["Sure! A dog ", "named Rex.", "\n```\n\n# Query", ":\nmore", " text"].map((text) => textChunk(text)),
          { delayMs: 20 },
        ),
    });
    const response = await post(app, "/v1/chat/completions", { ...hi, max_tokens: 40, seed: 7 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string }; finish_reason: string; stop_reason: string | null }[]; usage: Record<string, unknown> };
    expect(body.choices[0]!.message.content).toBe("Sure! A dog named Rex.");
    expect(body.choices[0]!.finish_reason).toBe("stop");
    expect(body.choices[0]!.stop_reason).toBe("urial:block");

    const [sent] = completionsRequests(upstream);
    expect(sent).toMatchObject({
      model: "tiny-base",
      max_tokens: 40,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      top_k: 40,
      top_p: 0.95,
      min_p: 0.05,
      repetition_penalty: 1.1,
      seed: 7,
    });
    const prompt = sent!.prompt as string;
    expect(prompt.startsWith("# Instruction")).toBe(true);
    expect(prompt).toContain("Tell me about a cat.");
    expect(prompt.endsWith("# Query:\n```\nTell me about a dog.\n```\n\n# Answer:\n```\n")).toBe(true);
    expect(sent).not.toHaveProperty("stop");

    // The cut closed the upstream stream before it ended, and the slot is free.
    await waitFor(() => upstream.open === 0);
    expect(upstream.closedEarly).toBe(1);
    expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
    // Prompt tokens as the upstream's /tokenize counted them (one per character + BOS in the script).
    expect(body.usage.prompt_tokens).toBe(prompt.length + 1);
  });

  it("reports the upstream's own usage, cached tokens included, when the stream completes", async () => {
    const { app } = await setUp({ completions: streamPieces(["Sure!", " The end."], { promptTokens: 321, cachedTokens: 300 }) });
    const body = (await (await post(app, "/v1/chat/completions", hi)).json()) as { usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    expect(body.usage).toMatchObject({ prompt_tokens: 321, completion_tokens: 2, total_tokens: 323, prompt_tokens_details: { cached_tokens: 300 } });
  });

  it("reports 0 cached tokens when the upstream does not say, and the estimate when it neither tokenizes nor reports usage", async () => {
    const { app } = await setUp({
      tokenize: "none",
      completions: (_body, response) => writeSse(response, [textChunk("Sure!"), textChunk(" Yes.", "stop")]),
    });
    const body = (await (await post(app, "/v1/chat/completions", hi)).json()) as { usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(body.usage.completion_tokens).toBe(2);
    // One token per 4 bytes of the rendered prompt.
    expect(body.usage.prompt_tokens).toBeGreaterThan(40);
    expect(body.usage.prompt_tokens).toBeLessThan(200);
  });

  it("asks vLLM's /tokenize form ({model, prompt}) when the llama-server form is refused", async () => {
    const { app, upstream, notices } = await setUp({ tokenize: "prompt", models: ["org/base-7b"] });
    expect(notices[0]).toContain("by its /tokenize");
    await post(app, "/v1/chat/completions", hi);
    const tokenizeCalls = upstream.requests.filter((request) => request.path === "/tokenize").map((request) => request.body as Record<string, unknown>);
    expect(tokenizeCalls.at(-1)).toMatchObject({ model: "org/base-7b", add_special_tokens: true });
    expect(String(tokenizeCalls.at(-1)!.prompt)).toContain("Tell me about a dog.");
  });

  it("streams with role first and [DONE] last, and gives choice i of n the seed + i", async () => {
    const { app, upstream } = await setUp({ completions: streamPieces(["Sure!", " Woof."]) });
    const response = await post(app, "/v1/chat/completions", { ...hi, n: 2, seed: 100, stream: true });
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as { choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null }[] });
    for (const index of [0, 1]) {
      const mine = chunks.filter((chunk) => chunk.choices[0]!.index === index);
      expect(mine[0]!.choices[0]!.delta.role).toBe("assistant");
      expect(mine.map((chunk) => chunk.choices[0]!.delta.content ?? "").join("")).toBe("Sure! Woof.");
      expect(mine.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    }
    expect(completionsRequests(upstream).map((body) => body.seed)).toEqual([100, 101]);
  });

  it("maps the upstream's legacy logprobs onto chat logprobs", async () => {
    const logprobs = (token: string, logprob: number) => ({ tokens: [token], token_logprobs: [logprob], top_logprobs: [{ [token]: logprob, " other": logprob - 1 }], text_offset: [0] });
    const { app, upstream } = await setUp({
      completions: (_body, response) =>
        writeSse(response, [
          { choices: [{ index: 0, text: "Sure", logprobs: logprobs("Sure", -0.5), finish_reason: null }] },
          { choices: [{ index: 0, text: "!", logprobs: logprobs("!", -0.25), finish_reason: "stop" }] },
        ]),
    });
    const body = (await (await post(app, "/v1/chat/completions", { ...hi, logprobs: true, top_logprobs: 2 })).json()) as {
      choices: { message: { content: string }; logprobs: { content: { token: string; logprob: number; top_logprobs: { token: string; logprob: number }[] }[] } }[];
    };
    expect(completionsRequests(upstream)[0]!.logprobs).toBe(2);
    expect(body.choices[0]!.message.content).toBe("Sure!");
    expect(body.choices[0]!.logprobs.content.map((entry) => [entry.token, entry.logprob])).toEqual([
      ["Sure", -0.5],
      ["!", -0.25],
    ]);
    expect(body.choices[0]!.logprobs.content[0]!.top_logprobs).toEqual([
      { token: "Sure", logprob: -0.5, bytes: [...Buffer.from("Sure")] },
      { token: " other", logprob: -1.5, bytes: [...Buffer.from(" other")] },
    ]);
  });

  it("answers 400 context_length_exceeded, counted by the upstream, without generating", async () => {
    const { app, upstream } = await setUp({ maxModelLen: 150 });
    const response = await post(app, "/v1/chat/completions", hi);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("context_length_exceeded");
    expect(body.error.message).toContain("holds 150 tokens");
    expect(body.error.message).toContain("counted by the upstream");
    expect(completionsRequests(upstream)).toHaveLength(0);
  });

  it("never asks the upstream for more tokens than its context has room for", async () => {
    const { app, upstream } = await setUp({ maxModelLen: 400 });
    await post(app, "/v1/chat/completions", hi);
    const [sent] = completionsRequests(upstream);
    expect(sent!.max_tokens).toBe(400 - ((sent!.prompt as string).length + 1));
  });

  it("refuses response_format with a 400 naming it (the grammar would be the upstream's to enforce)", async () => {
    const { app, upstream } = await setUp();
    const response = await post(app, "/v1/chat/completions", { ...hi, response_format: { type: "json_object" } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: Record<string, unknown> }).error).toMatchObject({ param: "response_format", code: "unsupported_parameter" });
    expect(completionsRequests(upstream)).toHaveLength(0);
  });

  it("closes the upstream request when the client disconnects mid-stream, freeing the slot", async () => {
    const { app, upstream, engine } = await setUp({
      completions: (_body, response) =>
        writeSse(
          response,
          Array.from({ length: 200 }, (_, index) => textChunk(`word${index} `)),
          { delayMs: 10 },
        ),
    });
    const controller = new AbortController();
    const response = await post(app, "/v1/chat/completions", { ...hi, stream: true }, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(() => upstream.open === 0 && engine.status().busySequences === 0);
    expect(upstream.closedEarly).toBe(1);
  });
});

describe("raw completions through the remote engine", () => {
  it("relays the upstream's stream chunk for chunk, whatever the network splits (mid-line, mid-character)", async () => {
    const pieces = ["Hel", "lo", " wö", "rld", " — ", "日本", "語!"];
    const { app } = await setUp({ completions: streamPieces(pieces, { splitBytes: 3 }) });
    const response = await post(app, "/v1/completions", { model: "base", prompt: "Once upon a time", stream: true, temperature: 0 });
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const texts = data.slice(0, -1).map((payload) => (JSON.parse(payload) as { choices: { text: string; finish_reason: string | null }[] }).choices[0]!);
    // One client chunk per upstream chunk, same text, then the finish chunk.
    expect(texts.map((choice) => choice.text)).toEqual([...pieces, ""]);
    expect(texts.at(-1)!.finish_reason).toBe("stop");
  });

  it("sends the raw prompt text upstream and passes finish_reason length through", async () => {
    const { app, upstream } = await setUp({ completions: streamPieces(["a", "b"], { finishReason: "length" }) });
    const body = (await (await post(app, "/v1/completions", { model: "base", prompt: "Once upon a time", max_tokens: 2 })).json()) as { choices: { text: string; finish_reason: string }[] };
    expect(body.choices[0]).toMatchObject({ text: "ab", finish_reason: "length" });
    expect(completionsRequests(upstream)[0]).toMatchObject({ prompt: "Once upon a time", max_tokens: 2 });
  });

  it("does not offer /tokenize itself (it has no exact tokenizer)", async () => {
    const { app } = await setUp();
    const response = await post(app, "/tokenize", { content: "Hello" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("tokenize_not_available");
  });
});
