/**
 * The analysis on the real tiny pair (stories260K base + its chat twin):
 * a model read against its own greedy answer shows no shift; the pair shows
 * its shift concentrated at the start of answers; the HTTP route works end
 * to end. These check that scoring and statistics are computed correctly —
 * a 260K-parameter model learns nothing from exemplars, so nothing here
 * expects URIAL to close the shift.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { startScoringRuntime } from "../../src/engine/llama-scoring-runtime.js";
import type { ScoringModel, ScoringRuntime } from "../../src/engine/scoring-model.js";
import { createApp } from "../../src/server/app.js";
import { analysePrompt } from "../../src/shift/analyse-prompt.js";
import { createShiftAnalyser, type ShiftAnalyser } from "../../src/shift/create-shift-analyser.js";
import { renderBaseContexts } from "../../src/shift/render-base-contexts.js";
import { runShift } from "../../src/shift/run-shift.js";
import { shiftReportSchema, type ShiftReport } from "../../src/shift/shift-schema.js";
import { FakeEngine } from "../support/fake-engine.js";
import { baseModelPath, chatModelPath, fixtureCatalog, pairExists, pairSuiteTitle, scoringSettings } from "./support/shift-test-models.js";

/** `model` with its chat prompt replaced by `render(query)`, tokenized as a whole prompt. */
function withPromptLayout(model: ScoringModel, render: (query: string) => string): ScoringModel {
  return {
    info: { ...model.info, chatTemplate: "override" },
    tokenize: (text) => model.tokenize(text),
    tokenizeContinuation: (text) => model.tokenizeContinuation(text),
    detokenize: (tokens) => model.detokenize(tokens),
    tokenText: (token, previous) => model.tokenText(token, previous),
    isEndOfGeneration: (token) => model.isEndOfGeneration(token),
    chatPrompt: (query) => ({ tokens: model.tokenize(render(query)), text: render(query) }),
    generate: (lane, prompt, options) => model.generate(lane, prompt, options),
    teacherForce: (lane, context, answer, onPosition) => model.teacherForce(lane, context, answer, onPosition),
    resetLane: (lane) => model.resetLane(lane),
    dispose: () => model.dispose(),
  };
}

const storyPrompts = [
  { id: "cat", query: "Tell me a story about a cat." },
  { id: "moon", query: "Tell me a story about the moon." },
  { id: "hello", query: "Hello!" },
  { id: "friends", query: "Can you tell me a story about two friends?" },
];

describe.skipIf(!pairExists)(pairSuiteTitle("token distribution shift on the stories260K pair"), () => {
  let runtime: ScoringRuntime;
  let base: ScoringModel;
  let chat: ScoringModel;
  let catalog: Catalog;
  let analyser: ShiftAnalyser;
  let report: ShiftReport;

  beforeAll(async () => {
    runtime = await startScoringRuntime({ threads: scoringSettings.threads, batchThreads: scoringSettings.batchThreads, gpu: scoringSettings.gpu });
    base = await runtime.loadModel({ modelPath: baseModelPath, contextSize: scoringSettings.contextSize, lanes: 2 });
    chat = await runtime.loadModel({ modelPath: chatModelPath, contextSize: scoringSettings.contextSize, lanes: 1 });
    catalog = await loadCatalog(fixtureCatalog);
    analyser = createShiftAnalyser({ base, chat });
    report = await runShift(analyser, storyPrompts, { topK: 10, maxTokens: 160, temperature: 0, exemplarSet: catalog.defaultSet, promptsFile: null });
  });

  afterAll(async () => {
    await runtime?.dispose();
  });

  it("finds 100 % unshifted and KL ≈ 0 when the base model reads its own greedy answer in the same layout", async () => {
    // A second copy of the base model plays the chat model, prompted with the
    // zero-shot layout itself: both sides see the same context and weights.
    const copy = await runtime.loadModel({ modelPath: baseModelPath, contextSize: scoringSettings.contextSize, lanes: 1 });
    const self = withPromptLayout(copy, (query) => renderBaseContexts(catalog.defaultSet, query).zeroShot);
    for (const prompt of storyPrompts.slice(0, 3)) {
      const result = await analysePrompt({ base, chat: self }, prompt, { topK: 5, maxTokens: 60, temperature: 0, exemplarSet: catalog.defaultSet });
      expect(result.positions.length, prompt.id).toBeGreaterThan(20);
      expect(result.summary.zeroShot).toMatchObject({ unshifted: result.positions.length, marginal: 0, shifted: 0, unshiftedShare: 1 });
      for (const position of result.positions) {
        expect(position.chat.rank).toBe(1);
        expect(position.zeroShot.rank).toBe(1);
        expect(position.zeroShot.kl).toBeLessThan(1e-6);
        expect(position.zeroShot.probability).toBeCloseTo(position.chat.probability, 6);
      }
    }
    await copy.dispose();
  });

  it("shows the chat model's answers shifted mostly at their start", () => {
    const { zeroShot, urial } = report.summary;
    expect(report.summary.positions).toBeGreaterThan(300);
    for (const context of [zeroShot, urial]) {
      const [first, , , last] = context.byBucket;
      expect(first!.positions).toBe(5 * storyPrompts.length);
      expect(context.overall.shiftedShare).toBeGreaterThan(0);
      expect(first!.shiftedShare!).toBeGreaterThan(2 * context.overall.shiftedShare!);
      expect(first!.shiftedShare!).toBeGreaterThan(last!.shiftedShare!);
    }
    // The chat model is sure of its own opener; the base model is not.
    const opener = report.summary.byPosition[0]!;
    expect(opener.zeroShot.meanKl).toBeGreaterThan(report.summary.zeroShot.overall.meanKl!);
  });

  it("scores the chat model's greedy answers as its own top choices", () => {
    for (const prompt of report.prompts) {
      for (const position of prompt.positions) expect(position.chat.rank, `${prompt.id} ${position.position}`).toBe(1);
    }
  });

  it("ranks the chat model's tokens exactly, consistent with the base top-k", () => {
    for (const prompt of report.prompts) {
      for (const position of prompt.positions) {
        for (const score of [position.zeroShot, position.urial]) {
          expect(score.top).toHaveLength(10);
          expect(score.top[0]!.probability).toBeGreaterThanOrEqual(score.probability);
          if (score.rank < 10) expect(score.top.map((entry) => entry.id)).toContain(position.tokenId);
          else expect(score.top.at(-1)!.probability).toBeGreaterThanOrEqual(score.probability);
        }
      }
    }
  });

  it("reuses the URIAL prefix from one prompt to the next", () => {
    const [first, ...rest] = report.prompts;
    expect(first!.contexts.urial.cachedTokens).toBeLessThan(10);
    const urialTokens = (query: string) => base.tokenize(renderBaseContexts(catalog.defaultSet, query).urial);
    rest.forEach((prompt, index) => {
      const previous = urialTokens(report.prompts[index]!.query);
      const current = urialTokens(prompt.query);
      let shared = 0;
      while (previous[shared] === current[shared]) shared += 1;
      // Everything the two contexts share (system prompt, exemplar, block header) came from the cache.
      expect(shared).toBeGreaterThan(100);
      expect(prompt.contexts.urial.cachedTokens, prompt.id).toBe(shared);
    });
  });

  it("answers POST /v1/shift end to end", async () => {
    const engine = new FakeEngine();
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 65_536, shift: () => analyser });
    const response = await app.request("/v1/shift", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "Tell me a story about a frog.", max_tokens: 30, top_k: 4 }),
    });
    expect(response.status).toBe(200);
    const body = shiftReportSchema.parse(await response.json());
    expect(body.prompts[0]!.positions).toHaveLength(30);
    expect(body.prompts[0]!.answer.text.startsWith("Sure!")).toBe(true);
    expect(body.models.chat).toMatchObject({ name: "stories260K-chat", chatTemplate: "gguf" });
  });
});
