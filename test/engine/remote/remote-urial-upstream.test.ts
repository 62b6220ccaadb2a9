/**
 * A urial proxy in front of another urial serving `base` on loopback, both
 * on the real engine (stories260K): the remote engine must give the same
 * greedy answers as the local engine, with the upstream's exact token counts
 * (its /tokenize and its usage), through the official openai SDK too.
 * Skipped, visibly, without the model.
 */
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../../src/catalog/catalog.js";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { Engine } from "../../../src/engine/engine.js";
import { startLlamaEngine } from "../../../src/engine/llama-engine.js";
import { startRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { createApp } from "../../../src/server/app.js";
import { serveApp, type ServedApp } from "../../support/serve-app.js";
import { modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

function post(app: Hono, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
}

interface ChatBody {
  choices: { message: { content: string }; finish_reason: string; stop_reason: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
}

describe.skipIf(!testModelExists)(modelSuiteTitle("a urial proxy in front of a urial 'base' upstream (real engine)"), () => {
  let catalog: Catalog;
  let localEngine: Engine;
  let remoteEngine: Engine;
  let upstream: ServedApp;
  let front: ServedApp;
  let local: Hono;
  let proxy: Hono;
  const notices: string[] = [];

  beforeAll(async () => {
    catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
    localEngine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 2, maxQueue: 8 });
    local = createApp({ engine: () => localEngine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024 });
    upstream = await serveApp(local);
    remoteEngine = await startRemoteEngine({ url: `${upstream.url}/v1`, parallel: 2, maxQueue: 8, timeoutMs: 30_000, onNotice: (line) => notices.push(line) });
    proxy = createApp({ engine: () => remoteEngine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024 });
    front = await serveApp(proxy);
  });

  afterAll(async () => {
    await front?.close();
    await remoteEngine?.dispose();
    await upstream?.close();
    await localEngine?.dispose();
  });

  it("finds the upstream's 'base' model, its context size and its /tokenize", () => {
    expect(remoteEngine.info).toMatchObject({ modelName: "base", contextSize: 512 });
    expect(notices[0]).toContain("by its /tokenize");
  });

  it("gives the local engine's greedy chat answer, with the same prompt token count", async () => {
    for (const content of ["Tell me about a dog.", "What did the little girl find in the park?"]) {
      const request = { model: "urial", messages: [{ role: "user", content }], temperature: 0, max_tokens: 48 };
      const direct = (await (await post(local, "/v1/chat/completions", request)).json()) as ChatBody;
      const proxied = (await (await post(proxy, "/v1/chat/completions", request)).json()) as ChatBody;
      expect(proxied.choices[0]!.message.content).toBe(direct.choices[0]!.message.content);
      expect(proxied.choices[0]!.finish_reason).toBe(direct.choices[0]!.finish_reason);
      expect(proxied.choices[0]!.stop_reason).toBe(direct.choices[0]!.stop_reason);
      expect(proxied.usage.prompt_tokens).toBe(direct.usage.prompt_tokens);
      expect(direct.choices[0]!.message.content.length).toBeGreaterThan(0);
    }
  });

  it("gives the same raw completion and the upstream's exact usage, cached tokens included on a repeat", async () => {
    const request = { model: "base", prompt: "Once upon a time", temperature: 0, max_tokens: 24 };
    const direct = (await (await post(local, "/v1/completions", request)).json()) as { choices: { text: string; finish_reason: string }[]; usage: ChatBody["usage"] };
    const proxied = (await (await post(proxy, "/v1/completions", request)).json()) as typeof direct;
    expect(proxied.choices[0]!.text).toBe(direct.choices[0]!.text);
    expect(proxied.choices[0]!.finish_reason).toBe(direct.choices[0]!.finish_reason);
    expect(proxied.usage.prompt_tokens).toBe(direct.usage.prompt_tokens);
    expect(proxied.usage.completion_tokens).toBe(direct.usage.completion_tokens);
    const again = (await (await post(proxy, "/v1/completions", request)).json()) as typeof direct;
    expect(again.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
    expect(again.usage.prompt_tokens_details.cached_tokens).toBeLessThan(again.usage.prompt_tokens);
  });

  it("serves the official openai SDK, streaming, with the answer the non-streamed request gives", async () => {
    const client = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 30_000 });
    const messages = [{ role: "user" as const, content: "Tell me about a dog." }];
    const whole = await client.chat.completions.create({ model: "urial", messages, temperature: 0, max_tokens: 48 });
    const stream = await client.chat.completions.create({ model: "urial", messages, temperature: 0, max_tokens: 48, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(usage?.prompt_tokens).toBe(whole.usage?.prompt_tokens);
    expect(remoteEngine.status()).toMatchObject({ busySequences: 0, queued: 0 });
    expect(localEngine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });
});
