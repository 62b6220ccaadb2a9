/**
 * The search's report.html in headless Chromium: the splits, the objective
 * chart, the steps and the pool render; hostile pool text stays text; the
 * page logs nothing and makes no network request. The report comes from a
 * real search run on the fake style-learning pair.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePool } from "../../src/exemplar-search/read-pool.js";
import { renderSearchReportHtml } from "../../src/exemplar-search/render-search-report-html.js";
import { runExemplarSearch } from "../../src/exemplar-search/run-exemplar-search.js";
import { openSearchCache } from "../../src/exemplar-search/search-cache.js";
import type { SearchReport } from "../../src/exemplar-search/search-report-schema.js";
import { browserSuiteTitle, chromiumExists, launchChromium, openReportHtml } from "../shift/support/chromium.js";
import { createStyleLearningPair, styleMarker } from "./support/style-learning-pair.js";

const hostile = `<img src=x onerror="globalThis.__xss=1">`;

describe.skipIf(!chromiumExists)(browserSuiteTitle("exemplar search report.html in headless Chromium"), () => {
  let browser: Browser;
  let page: Page;
  let report: SearchReport;
  let problems: string[];
  let requests: string[];

  beforeAll(async () => {
    const { base, chat } = createStyleLearningPair();
    const pool = parsePool(
      [
        { id: "plain", query: "What is a cup?", answer: "A small bowl." },
        { id: "styled-a", query: "What is a door?", answer: `${styleMarker} A door closes an opening.` },
        { id: "hostile", query: `What is ${hostile}?`, answer: `It is ${hostile}.` },
        { id: "styled-b", query: "What is a lamp?", answer: `${styleMarker} A lamp gives light.` },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n"),
      "pool.jsonl",
    );
    ({ report } = await runExemplarSearch({
      base,
      chat,
      pool,
      prompts: [
        { id: "q1", query: "What is a chair?" },
        { id: "q2", query: "What is a window?" },
      ],
      systemPrompt: { name: "short", text: "# Instruction\n\nAnswers follow." },
      k: 2,
      objective: "shifted",
      seed: 1,
      swapPasses: 1,
      randomSets: 1,
      chatAnswers: { maxTokens: 30, temperature: 0 },
      identity: { base: "b", chat: "c" },
      cache: await openSearchCache(null),
      files: { pool: "pool.jsonl", poolFromChat: null, queries: "q.jsonl" },
    }));
    browser = await launchChromium();
    ({ page, problems, requests } = await openReportHtml(browser, renderSearchReportHtml(report)));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the summary, the splits of every context and the objective per step", async () => {
    await expect(page.title()).resolves.toBe("Exemplar search: fake-base → fake-chat");
    expect(await page.locator("#summary").textContent()).toMatch(/^chose styled-a, styled-b \(2 of 4\) · shifted share: zero-shot .* → chosen 0\.0 % .* closure 100\.0 %$/);
    // zero-shot, system prompt alone, 1 random set, chosen, chat.
    expect(await page.locator("table.contexts tr[data-context]").count()).toBe(5);
    expect(await page.locator("#splits svg rect.bar").count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator("#objective-chart circle.step").count()).toBe(report.steps.length);
    expect(await page.locator("table.steps tr.step").count()).toBe(report.steps.length);
    expect(await page.locator("table.pool tr.chosen").count()).toBe(2);
    expect(await page.locator("article.exemplar").count()).toBe(2);
    expect(await page.locator("table.queries tr[data-id]").count()).toBe(2);
  });

  it("shows pool text as text: the hostile exemplar creates no element and runs nothing", async () => {
    expect(await page.locator('table.pool tr[data-id="hostile"] td').nth(2).textContent()).toBe(`What is ${hostile}?`);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("logged no console error or warning and made no network request", () => {
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file:"))).toEqual([]);
  });
});
