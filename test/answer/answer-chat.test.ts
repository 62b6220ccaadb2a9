/**
 * The answer pipeline called in process, as `urial generate` and `urial ab`
 * call it: typed results, the pipeline's own errors, the sequence released,
 * and the variant's sampling laid over the request without writing into it.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { AnswerFailedError, answerVariant, UnknownVariantError } from "../../src/ab/offline/answer-variant.js";
import { ExperimentRegistry } from "../../src/ab/online/experiment-registry.js";
import { parseExperiments } from "../../src/ab/online/load-experiments.js";
import { answerChat } from "../../src/answer/answer-chat.js";
import { planChatAnswer } from "../../src/answer/plan-chat-answer.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { PromptTooLongError } from "../../src/engine/engine.js";
import { DomainError } from "../../src/errors/domain-error.js";
import { chatRequestSchema, type ChatRequest } from "../../src/openai/chat-request-schema.js";
import { FakeEngine } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

const chat = (fields: Record<string, unknown>): ChatRequest => chatRequestSchema.parse({ model: "urial", messages: [{ role: "user", content: "Hi" }], ...fields });

describe("answerChat", () => {
  it("answers with typed choices and usage, cleaned like the server's, and releases the sequence", async () => {
    const engine = new FakeEngine({ script: "Hello there.\n\n# Query:\nmore" });
    const answer = await answerChat({ engine: () => engine, catalog, systemMessageMode: "append" }, chat({ n: 2, max_tokens: 100 }));
    expect(answer.set.name).toBe("tiny");
    expect(answer.choices).toEqual([
      { content: "Hello there.", finishReason: "stop", stopReason: "urial:block" },
      { content: "Hello there.", finishReason: "stop", stopReason: "urial:block" },
    ]);
    expect(answer.usage.promptTokens).toBeGreaterThan(0);
    expect(answer.usage.completionTokens).toBeGreaterThan(0);
    expect(engine.released).toBe(1);
  });

  it("throws the pipeline's own errors: loading, unknown model, context too small", async () => {
    const deps = (engine: FakeEngine | undefined) => ({ engine: () => engine, catalog, systemMessageMode: "append" as const });
    await expect(answerChat(deps(undefined), chat({}))).rejects.toMatchObject({ kind: "loading", code: "model_loading" });
    await expect(answerChat(deps(new FakeEngine()), chat({ model: "urial/nope" }))).rejects.toMatchObject({ kind: "unknown", code: "model_not_found", param: "model" });
    const tooLong = answerChat(deps(new FakeEngine({ contextSize: 64 })), chat({ max_tokens: 10 }));
    await expect(tooLong).rejects.toBeInstanceOf(PromptTooLongError);
    await expect(tooLong).rejects.toMatchObject({ requested: true, wanted: 10, param: "messages" });
  });

  it("raises a DomainError for a chat request on 'chat' without a chat model, not an HTTP status", async () => {
    // 'base' is a chat id now (zero-shot in the URIAL layout); 'chat' needs --chat-model.
    const error = await answerChat({ engine: () => new FakeEngine(), catalog, systemMessageMode: "append" }, chat({ model: "chat" })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "unknown", code: "model_not_found", param: "model" });
  });
});

describe("planChatAnswer with an experiment", () => {
  it("lays the variant's sampling over the request's and leaves the parsed request as it was", () => {
    const experiments = new ExperimentRegistry({
      experiments: parseExperiments(
        JSON.stringify({
          experiments: [
            {
              id: "exp",
              model: "urial-exp",
              variants: [
                { name: "hot", exemplars: "tiny", sampling: { temperature: 1.5 } },
                { name: "cold", exemplars: "tiny", weight: 0 },
              ],
            },
          ],
        }),
        "experiments.json",
      ),
    });
    const request = chat({ model: "urial-exp", temperature: 0.2, user: "u1" });
    const plan = planChatAnswer({ engine: () => new FakeEngine(), catalog, systemMessageMode: "append", experiments }, request);
    expect(plan.assignment?.variant.name).toBe("hot");
    expect(plan.jobs[0]!.options.sampling.temperature).toBe(1.5);
    expect(request.temperature).toBe(0.2);
  });
});

describe("answerVariant (urial ab)", () => {
  const input = { model: "urial", messages: [{ role: "user" as const, content: "Hi" }], seed: 1, temperature: 0, maxTokens: 8 };

  it("keeps a refused request as an answer with an error, and stops on an unknown model or an engine failure", async () => {
    const refused = await answerVariant({ engine: () => new FakeEngine({ contextSize: 40 }), catalog, systemMessageMode: "append" }, input);
    expect(refused).toMatchObject({ content: "", finishReason: null, promptTokens: null, seed: 1 });
    expect(refused.error).toContain("context holds 40 tokens");
    await expect(answerVariant({ engine: () => new FakeEngine(), catalog, systemMessageMode: "append" }, { ...input, model: "urial/nope" })).rejects.toBeInstanceOf(UnknownVariantError);
    const failing = answerVariant({ engine: () => new FakeEngine({ failAfterTokens: 1 }), catalog, systemMessageMode: "append" }, input);
    await expect(failing).rejects.toBeInstanceOf(AnswerFailedError);
    await expect(failing).rejects.toThrow(/urial could not answer \(The engine failed: /);
  });

  it("returns the answer, its stop reason and token counts", async () => {
    const answer = await answerVariant({ engine: () => new FakeEngine({ script: "Hello\n# Query" }), catalog, systemMessageMode: "append" }, { ...input, maxTokens: 40 });
    expect(answer).toMatchObject({ content: "Hello", finishReason: "stop", stopReason: "urial:block", error: null, seed: 1 });
    expect(answer.promptTokens).toBeGreaterThan(0);
    expect(answer.completionTokens).toBeGreaterThan(0);
  });
});
