/**
 * Principle-driven mode on the REAL tiny model (stories260K) through the HTTP
 * app: whatever the model writes, the request succeeds and `content` never
 * carries the thoughts or prompt scaffolding, streamed or not. The prompt is
 * the tiny principles fixture, which fits the model's 512-token window.
 * Skipped, visibly, without the model.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { createApp } from "../../src/server/app.js";
import { modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/principles/${name}`, import.meta.url));

/** What must never be in an answer, whatever the model generated. */
function expectClean(content: string): void {
  expect(content).not.toContain("internal-thoughts");
  expect(content).not.toContain("# Query");
  expect(content).not.toContain("# Answer");
  expect(content).toBe(content.trim());
}

interface ChatBody {
  choices: { message: { content: string; reasoning_content?: string }; finish_reason: string; stop_reason: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

describe.skipIf(!testModelExists)(modelSuiteTitle("principles mode on stories260K"), () => {
  let engine: Engine;
  let app: Hono;

  beforeAll(async () => {
    engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 1, maxQueue: 4 });
    const catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny-principles" });
    app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  const request = (body: Record<string, unknown>) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "urial/tiny-principles", messages: [{ role: "user", content: "Tell me a story." }], max_tokens: 64, temperature: 0, ...body }),
    });

  it("answers without streaming: content is clean, thoughts only in reasoning_content when asked", async () => {
    const response = await request({ include_reasoning: true });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatBody;
    const choice = body.choices[0]!;
    expectClean(choice.message.content);
    expect(typeof choice.message.reasoning_content).toBe("string");
    expect(choice.message.reasoning_content).not.toContain("internal-thoughts");
    expect(["stop", "length"]).toContain(choice.finish_reason);
    expect(body.usage.prompt_tokens).toBeGreaterThan(200);
    expect(body.usage.prompt_tokens + body.usage.completion_tokens).toBeLessThanOrEqual(512);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    // The generated text went somewhere: stories260K rarely closes its
    // thoughts, so most of it is reasoning and the answer is often empty.
    expect(choice.message.content.length + choice.message.reasoning_content!.trim().length).toBeGreaterThan(0);

    const without = (await (await request({})).json()) as ChatBody;
    // Greedy decoding: the same answer, without the thoughts field.
    expect(without.choices[0]!.message.content).toBe(choice.message.content);
    expect("reasoning_content" in without.choices[0]!.message).toBe(false);
  });

  it("streams the same answer: no chunk's content holds any thoughts or scaffolding", async () => {
    const plain = (await (await request({ include_reasoning: true })).json()) as ChatBody;
    const response = await request({ stream: true, include_reasoning: true });
    expect(response.status).toBe(200);
    const blocks = (await response.text()).split("\n\n").filter((block) => block.length > 0);
    expect(blocks.at(-1)).toBe("data: [DONE]");
    const chunks = blocks
      .slice(0, -1)
      .map((block) => JSON.parse(block.slice("data: ".length)) as { choices: { delta: { content?: string; reasoning_content?: string }; finish_reason: string | null }[] });
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    for (const delta of deltas) {
      expect(delta.content ?? "").not.toContain("internal-thoughts");
      expect(delta.content ?? "").not.toContain("# Query");
    }
    const content = deltas.map((delta) => delta.content ?? "").join("");
    const reasoning = deltas.map((delta) => delta.reasoning_content ?? "").join("");
    expectClean(content);
    expect(content).toBe(plain.choices[0]!.message.content);
    expect(reasoning).toBe(plain.choices[0]!.message.reasoning_content);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe(plain.choices[0]!.finish_reason);
  });

  it("stays clean for several queries and sampled decoding", async () => {
    for (const [index, query] of ["Why is the sky blue?", "Tell me about a dog.", "What is a cat?"].entries()) {
      const response = await request({ messages: [{ role: "user", content: query }], temperature: 1, seed: index + 1, max_tokens: 48 });
      expect(response.status).toBe(200);
      const body = (await response.json()) as ChatBody;
      expectClean(body.choices[0]!.message.content);
    }
  });
});
