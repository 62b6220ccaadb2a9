/**
 * The wire contract, checked by the official `openai` client against the app
 * served on loopback with the real engine (stories260K, the tiny fixture
 * sets). What the SDK parses, types and raises is what users will get.
 * Skipped, visibly, without the model.
 */
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine, EngineSlot, GenerateOptions, GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { createApp } from "../../src/server/app.js";
import { modelSuiteTitle, onceUponATimePrefix, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** One generation as the engine ran it. */
interface Generation {
  promptTokens: number;
  cachedTokens: number;
  tokens: number;
  maxTokens: number;
  /** "end": the engine finished; "error": it threw (an abort included); "closed": the consumer left early. */
  outcome: "running" | "end" | "error" | "closed";
}

/**
 * Milliseconds the recorder waits after each token it passes on (0: none).
 * The abort test sets it so the tiny model, which writes 480 tokens in a
 * fraction of a second, cannot finish before the client's abort arrives on a
 * loaded machine.
 */
let tokenPaceMs = 0;

/** Wraps an engine to record every generation, without changing what it does (beyond `tokenPaceMs`). */
function recordGenerations(engine: Engine): { engine: Engine; generations: Generation[] } {
  const generations: Generation[] = [];
  const wrapSlot = (slot: EngineSlot): EngineSlot => ({
    release: () => slot.release(),
    generate: (prompt: readonly number[], options: GenerateOptions) =>
      (async function* recorded(): AsyncGenerator<GenerationEvent> {
        const generation: Generation = { promptTokens: prompt.length, cachedTokens: -1, tokens: 0, maxTokens: options.maxTokens, outcome: "running" };
        generations.push(generation);
        try {
          for await (const event of slot.generate(prompt, options)) {
            if (event.type === "prefilled") generation.cachedTokens = event.cachedTokens;
            if (event.type === "token") generation.tokens += 1;
            if (event.type === "end") generation.outcome = "end";
            yield event;
            if (event.type === "token" && tokenPaceMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenPaceMs));
          }
        } catch (error) {
          generation.outcome = "error";
          throw error;
        } finally {
          if (generation.outcome === "running") generation.outcome = "closed";
        }
      })(),
  });
  const wrapped: Engine = {
    get info() {
      return engine.info;
    },
    tokenize: (text) => engine.tokenize(text),
    acquire: async (prompt, signal) => wrapSlot(await engine.acquire(prompt, signal)),
    prepareConstraint: (constraint) => engine.prepareConstraint(constraint),
    status: () => engine.status(),
    dispose: () => engine.dispose(),
  };
  return { engine: wrapped, generations };
}

async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const story = [{ role: "user" as const, content: "Tell me about a dog." }];

describe.skipIf(!testModelExists)(modelSuiteTitle("the openai SDK against the served app (real engine)"), () => {
  let realEngine: Engine;
  let engine: Engine;
  let generations: Generation[];
  let server: ServerType;
  let client: OpenAI;
  const serverErrors: unknown[] = [];

  beforeAll(async () => {
    realEngine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 2, maxQueue: 4 });
    ({ engine, generations } = recordGenerations(realEngine));
    const catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
    const app = createApp({
      engine: () => engine,
      catalog,
      systemMessageMode: "append",
      maxBodyBytes: 1024 * 1024,
      onServerError: (_requestId, error) => serverErrors.push(error),
    });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "test", maxRetries: 0, timeout: 30_000 });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await realEngine?.dispose();
  });

  it("answers a chat completion in the SDK's shape", async () => {
    const { data, response } = await client.chat.completions.create({ model: "urial", messages: story, temperature: 0, max_tokens: 40 }).withResponse();
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(data.object).toBe("chat.completion");
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe("urial");
    expect(data.choices).toHaveLength(1);
    const [choice] = data.choices;
    expect(choice!.index).toBe(0);
    expect(choice!.message.role).toBe("assistant");
    expect(typeof choice!.message.content).toBe("string");
    expect(["stop", "length"]).toContain(choice!.finish_reason);
    const usage = data.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(50);
    expect(usage.prompt_tokens).toBeLessThan(512);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(40);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(serverErrors).toEqual([]);
  });

  it("streams the same answer as the non-streamed request, with role first, finish_reason last and a usage chunk", async () => {
    const request = { model: "urial", messages: story, temperature: 0, max_tokens: 40 };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(new Set(chunks.map((chunk) => chunk.created)).size).toBe(1);
    const usageChunk = chunks[chunks.length - 1]!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: whole.usage!.prompt_tokens, completion_tokens: whole.usage!.completion_tokens });

    const choiceChunks = chunks.slice(0, -1);
    expect(choiceChunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(choiceChunks.slice(1).every((chunk) => chunk.choices[0]!.delta.role === undefined)).toBe(true);
    expect(choiceChunks[choiceChunks.length - 1]!.choices[0]!.finish_reason).toBe(whole.choices[0]!.finish_reason);
    expect(choiceChunks.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null)).toBe(true);
    const content = choiceChunks.map((chunk) => chunk.choices[0]!.delta.content ?? "").join("");
    expect(content).toBe(whole.choices[0]!.message.content);
  });

  it("gives n = 2 choices with indexes 0 and 1", async () => {
    const data = await client.chat.completions.create({ model: "urial/tiny-two", messages: story, n: 2, temperature: 0.9, seed: 11, max_tokens: 20 });
    expect(data.choices.map((choice) => choice.index)).toEqual([0, 1]);
    for (const choice of data.choices) expect(typeof choice.message.content).toBe("string");
    const two = generations.slice(-2);
    expect(two).toHaveLength(2);
    // The prompt is counted once; both choices' tokens are counted.
    expect(data.usage!.prompt_tokens).toBe(two[0]!.promptTokens);
    expect(data.usage!.completion_tokens).toBe(two[0]!.tokens + two[1]!.tokens);
  });

  it("returns logprobs whose tokens concatenate to the content", async () => {
    const data = await client.chat.completions.create({ model: "urial", messages: story, temperature: 0, max_tokens: 40, logprobs: true, top_logprobs: 2 });
    const choice = data.choices[0]!;
    const content = choice.message.content ?? "";
    expect(content.length).toBeGreaterThan(0);
    const entries = choice.logprobs!.content!;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((entry) => entry.token).join("")).toBe(content);
    for (const entry of entries) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(entry.top_logprobs[0]!.logprob).toBeGreaterThanOrEqual(entry.top_logprobs[1]!.logprob);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, "utf8")]);
    }
  });

  it("constrains the answer to a JSON schema", async () => {
    const schema = {
      type: "object",
      properties: { animal: { type: "string", enum: ["dog", "cat"] }, happy: { type: "boolean" } },
      required: ["animal", "happy"],
      additionalProperties: false,
    };
    const data = await client.chat.completions.create({
      model: "urial",
      messages: story,
      temperature: 0,
      max_tokens: 60,
      response_format: { type: "json_schema", json_schema: { name: "pet", schema, strict: true } },
    });
    const parsed = JSON.parse(data.choices[0]!.message.content!) as Record<string, unknown>;
    expect(["dog", "cat"]).toContain(parsed.animal);
    expect(typeof parsed.happy).toBe("boolean");
  });

  it("reports the reused prompt prefix as cached tokens on a repeated request", async () => {
    const messages = [{ role: "user" as const, content: "Tell me about the moon." }];
    const first = await client.chat.completions.create({ model: "urial", messages, temperature: 0, max_tokens: 8 });
    const second = await client.chat.completions.create({ model: "urial", messages, temperature: 0, max_tokens: 8 });
    const prompt = second.usage!.prompt_tokens;
    expect(prompt).toBe(first.usage!.prompt_tokens);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(prompt - 1);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBeLessThan(prompt);
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
  });

  it("raises NotFoundError with param 'model' for an unknown model", async () => {
    const error: unknown = await client.chat.completions.create({ model: "gpt-4o", messages: story }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.param).toBe("model");
    expect(notFound.code).toBe("model_not_found");
    expect(notFound.type).toBe("invalid_request_error");
    expect(notFound.message).toContain("gpt-4o");
    expect(notFound.requestID).toMatch(/^req_/);
  });

  it("raises BadRequestError with param 'temperature' for a bad temperature", async () => {
    const error: unknown = await client.chat.completions.create({ model: "urial", messages: story, temperature: 7 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const badRequest = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(badRequest.status).toBe(400);
    expect(badRequest.param).toBe("temperature");
  });

  it("raises BadRequestError context_length_exceeded when max_tokens cannot fit", async () => {
    const error: unknown = await client.chat.completions.create({ model: "urial", messages: story, max_tokens: 2000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("context_length_exceeded");
  });

  it("stops the generation when the SDK aborts a stream, and serves the next request at once", async () => {
    const controller = new AbortController();
    const before = generations.length;
    tokenPaceMs = 20;
    const stream = await client.completions.create({ model: "base", prompt: "Once upon a time", temperature: 0, max_tokens: 480, stream: true }, { signal: controller.signal });
    let chunks = 0;
    const reading = (async () => {
      for await (const _chunk of stream) {
        chunks += 1;
        if (chunks === 2) controller.abort();
      }
    })();
    // The SDK ends the iteration quietly when its signal aborts.
    await reading.finally(() => {
      tokenPaceMs = 0;
    });
    expect(controller.signal.aborted).toBe(true);
    expect(chunks).toBe(2);

    await waitFor(() => realEngine.status().busySequences === 0);
    const aborted = generations[before]!;
    expect(aborted.maxTokens).toBe(480);
    expect(aborted.outcome).not.toBe("end");
    expect(aborted.tokens).toBeLessThan(480);

    const next = await client.completions.create({ model: "base", prompt: "Once upon a time", temperature: 0, max_tokens: 10 });
    expect(next.choices[0]!.text.length).toBeGreaterThan(0);
    expect(serverErrors).toEqual([]);
  });

  it("completes two streams at once", async () => {
    const run = async (model: string) => {
      const stream = await client.chat.completions.create({ model, messages: story, temperature: 0, max_tokens: 40, stream: true });
      let content = "";
      let finish: string | null = null;
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      return { content, finish };
    };
    const alone = await client.chat.completions.create({ model: "urial/tiny-two", messages: story, temperature: 0, max_tokens: 40 });
    const [a, b] = await Promise.all([run("urial/tiny"), run("urial/tiny-two")]);
    expect(a.finish).not.toBeNull();
    expect(b.finish).not.toBeNull();
    expect(b.content).toBe(alone.choices[0]!.message.content);
    expect(realEngine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });

  it("completes raw text with model 'base'", async () => {
    const body = { model: "base", prompt: "Once upon a time", temperature: 0, max_tokens: 12, repetition_penalty: 1 } as const;
    const data = await client.completions.create(body as unknown as OpenAI.CompletionCreateParamsNonStreaming);
    expect(data.object).toBe("text_completion");
    expect(data.model).toBe("base");
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.text.startsWith(onceUponATimePrefix)).toBe(true);
    expect(data.choices[0]!.finish_reason).toBe("length");
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });
});
