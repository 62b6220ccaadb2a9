import { beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import type { AppDeps } from "../../src/server/app-deps.js";
import { createShiftAnalyser, type ShiftAnalyser } from "../../src/shift/create-shift-analyser.js";
import { shiftReportSchema, type ShiftReport } from "../../src/shift/shift-schema.js";
import { FakeEngine } from "../support/fake-engine.js";
import { createFakeScoringModel } from "./support/fake-scoring-model.js";
import { fixtureCatalog } from "./support/shift-test-models.js";

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog(fixtureCatalog);
});

function fakeAnalyser(contextSize = 512): ShiftAnalyser {
  return createShiftAnalyser({
    base: createFakeScoringModel({ seed: 3, contextSize }),
    chat: createFakeScoringModel({ seed: 4, lanes: 1, eosAfter: 12, contextSize }),
  });
}

function app(shift?: AppDeps["shift"]) {
  const engine = new FakeEngine();
  return createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 64 * 1024, ...(shift ? { shift } : {}) });
}

function post(target: ReturnType<typeof app>, body: unknown) {
  return target.request("/v1/shift", { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

describe("POST /v1/shift", () => {
  it("is a 404 in OpenAI's error shape when the server was started without --chat-model", async () => {
    const response = await post(app(), { query: "Hi" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: "not_found_error", code: "shift_not_enabled", param: null });
    expect(body.error.message).toContain("--chat-model");
  });

  it("is a 503 with Retry-After while the models load", async () => {
    const response = await post(
      app(() => undefined),
      { query: "Hi" },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(((await response.json()) as ErrorBody).error.code).toBe("model_loading");
  });

  it("answers one query with a shift.json document", async () => {
    const analyser = fakeAnalyser();
    const response = await post(
      app(() => analyser),
      { query: "Tell me a story.", top_k: 3 },
    );
    expect(response.status).toBe(200);
    const report = shiftReportSchema.parse(await response.json()) as ShiftReport;
    expect(report.prompts).toHaveLength(1);
    expect(report.prompts[0]).toMatchObject({ id: "query", query: "Tell me a story.", answer: { source: "generated", stopReason: "eos", scoredTokens: 13 } });
    expect(report.prompts[0]!.positions[0]!.zeroShot.top).toHaveLength(3);
    expect(report.settings).toMatchObject({ topK: 3, maxTokens: 256, temperature: 0, seed: null, promptsFile: null, exemplarSet: { name: "tiny" } });
    expect(report.summary.positions).toBe(13);
  });

  it("scores a given answer, with a chosen exemplar set", async () => {
    const analyser = fakeAnalyser();
    const response = await post(
      app(() => analyser),
      { query: "Q?", answer: "Sure thing.", exemplars: "tiny-two", max_tokens: null, seed: null },
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as ShiftReport;
    expect(report.prompts[0]!.answer).toMatchObject({ source: "given", stopReason: "given", text: expect.any(String), scoredTokens: 11 });
    expect(report.settings.exemplarSet.name).toBe("tiny-two");
  });

  it("is a 400 naming the field for an invalid body", async () => {
    const analyser = fakeAnalyser();
    for (const [body, param] of [
      [{}, "query"],
      [{ query: "" }, "query"],
      [{ query: "Hi", top_k: 0 }, "top_k"],
      [{ query: "Hi", answer: 5 }, "answer"],
    ] as const) {
      const response = await post(
        app(() => analyser),
        body,
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ type: "invalid_request_error", param });
    }
    const invalidJson = await post(
      app(() => analyser),
      "{not json",
    );
    expect(invalidJson.status).toBe(400);
    expect(((await invalidJson.json()) as ErrorBody).error.code).toBe("invalid_json");
  });

  it("is a 404 naming the field for an unknown exemplar set", async () => {
    const response = await post(
      app(() => fakeAnalyser()),
      { query: "Hi", exemplars: "nope" },
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ param: "exemplars", code: "exemplar_set_not_found" });
  });

  it("is a 400 context_length_exceeded for a query that leaves no room for an answer", async () => {
    const response = await post(
      app(() => fakeAnalyser(300)),
      { query: "x".repeat(400) },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ param: "query", code: "context_length_exceeded" });
  });

  it("is a 400 when the exemplar set alone fills the base model's context", async () => {
    const response = await post(
      app(() => fakeAnalyser(100)),
      { query: "Hi" },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ param: "exemplars", code: "context_length_exceeded" });
  });
});
