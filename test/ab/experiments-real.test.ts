/**
 * Variants stay warm on the REAL engine (stories260K, skipped visibly
 * without it): interleaved A/B traffic of an experiment with two variants
 * (the fixture sets `tiny` and `tiny-two`) reuses each variant's whole
 * exemplar prefix when there is a sequence per variant, and re-evaluates it
 * on every switch when they share one. The measured `cached_tokens` are
 * printed, and the experiment statistics report the same reuse.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExperimentRegistry } from "../../src/ab/online/experiment-registry.js";
import { parseExperiments } from "../../src/ab/online/load-experiments.js";
import { exemplarExchanges, type Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { createApp } from "../../src/server/app.js";
import { modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const experiments = parseExperiments(
  JSON.stringify({
    experiments: [
      {
        id: "warm",
        sticky: "random",
        variants: [
          { name: "one", exemplars: "tiny" },
          { name: "two", exemplars: "tiny-two" },
        ],
      },
    ],
  }),
  "experiments.json",
);

describe.skipIf(!testModelExists)(modelSuiteTitle("A/B variants stay warm on stories260K"), () => {
  let catalog: Catalog;
  const engines: Engine[] = [];
  beforeAll(async () => {
    catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
  });
  afterAll(async () => {
    for (const engine of engines) await engine.dispose();
  });

  /** Eight requests alternating the variants (by the QA header), each with a new question. */
  async function interleave(parallel: number) {
    const engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel, maxQueue: 4 });
    engines.push(engine);
    const registry = new ExperimentRegistry({ experiments });
    const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, experiments: registry });
    const prefixTokens = (set: string) => {
      const exemplarSet = catalog.sets.get(set)!;
      const rendered = renderUrialPrompt({ system: exemplarSet.systemPrompt, exemplars: exemplarExchanges(exemplarSet), history: [], query: "x", template: exemplarSet.template });
      return engine.tokenize(rendered.text.slice(0, rendered.prefixLength)).length;
    };
    const results: { variant: string; cached: number; prompt: number; prefix: number }[] = [];
    for (let n = 0; n < 8; n += 1) {
      const variant = n % 2 === 0 ? "one" : "two";
      const response = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-urial-variant": variant },
        body: JSON.stringify({ model: "urial/ab/warm", messages: [{ role: "user", content: `Tell me about toy number ${n}.` }], max_tokens: 8, temperature: 0 }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
      results.push({ variant, cached: body.usage.prompt_tokens_details.cached_tokens, prompt: body.usage.prompt_tokens, prefix: prefixTokens(variant === "one" ? "tiny" : "tiny-two") });
    }
    return { results, stats: registry.stats("warm", catalog)! };
  }

  it("reuses each variant's prefix under interleaved traffic with a sequence per variant, not with one shared sequence", async () => {
    const warm = await interleave(2);
    const cold = await interleave(1);
    const line = (label: string, results: { variant: string; cached: number; prompt: number }[]) =>
      `${label}: ${results.map((result) => `${result.variant} ${result.cached}/${result.prompt}`).join(", ")}`;
    console.info(`[experiments-real] cached/prompt tokens per request\n  ${line("parallel 2", warm.results)}\n  ${line("parallel 1", cold.results)}`);
    // The tokenization at the prefix's end may merge with the query's first token: allow two.
    for (const result of warm.results.slice(2)) expect(result.cached).toBeGreaterThanOrEqual(result.prefix - 2);
    for (const result of cold.results.slice(1)) expect(result.cached).toBeLessThan(result.prefix - 2);
    const shareWarm = warm.stats.variants.map((variant) => variant.cached_prompt_share!);
    const shareCold = cold.stats.variants.map((variant) => variant.cached_prompt_share!);
    shareWarm.forEach((share, index) => expect(share).toBeGreaterThan(shareCold[index]!));
    expect(warm.stats.variants.map((variant) => variant.requests)).toEqual([4, 4]);
  });
});
