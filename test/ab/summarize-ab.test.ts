/**
 * The summary of an offline run on a hand-made set of prompts: counts,
 * shares, win rate, the length-controlled win rate, answer length, refusal
 * and clean-ending rates, aspect means and failure counts; and the report
 * pages built from it (escaping, filter, numbers), one of them in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { AbAnswer, AbPromptResult, AbResults, PairJudgement, ScoreJudgement } from "../../src/ab/offline/ab-results.js";
import { endedCleanly, isRefusal } from "../../src/ab/offline/answer-quality.js";
import { buildAbResults } from "../../src/ab/offline/build-ab-results.js";
import { formatAbSummary } from "../../src/ab/report/format-ab.js";
import { judgeAspects } from "../../src/ab/judge/judge-aspects.js";
import { lengthControlledWinRate } from "../../src/ab/statistics/length-controlled-win-rate.js";
import { combineOrders } from "../../src/ab/judge/pair-preference.js";
import { renderAbReportHtml } from "../../src/ab/report/render-ab-report-html.js";
import { renderAbReportMarkdown } from "../../src/ab/report/render-ab-report-md.js";
import { summarizeAb } from "../../src/ab/offline/summarize-ab.js";
import { browserSuiteTitle, chromiumExists, launchChromium } from "../shift/support/chromium.js";

const A = "urial/a";
const B = "urial/b";

function answer(content: string, overrides: Partial<AbAnswer> = {}): AbAnswer {
  return { content, finishReason: "stop", stopReason: "urial:block", promptTokens: 10, completionTokens: content.length, error: null, seed: 1, ...overrides };
}

function scores(score: number): ScoreJudgement {
  return { ok: true, attempts: 1, scores: Object.fromEntries(judgeAspects.map((aspect) => [aspect, { score, reason: `${aspect} ${score}` }])) as never };
}

/** A pair whose two orders give the candidate `points` (1 / 0.5 / 0 each). */
function pair(points: [number, number], lengthDifference: number): PairJudgement {
  const winner = (value: number) => (value === 1 ? "candidate" : value === 0 ? "baseline" : "tie");
  const orders = (["baseline", "candidate"] as const).map((first, index) => ({
    first,
    ok: true as const,
    winner: winner(points[index]!) as "candidate" | "baseline" | "tie",
    reason: `reason ${index}`,
    attempts: 1,
  }));
  return { candidate: B, sample: 0, orders, ...combineOrders(orders), lengthDifference };
}

function prompt(id: string, category: string, answers: [AbAnswer, AbAnswer], judgements: [ScoreJudgement | null, ScoreJudgement | null], pairs: PairJudgement[]): AbPromptResult {
  return { id, category, query: `Query ${id}?`, answers: { [A]: [answers[0]], [B]: [answers[1]] }, scores: { [A]: [judgements[0]], [B]: [judgements[1]] }, pairs, informativeness: null };
}

const failedOrder = { first: "candidate" as const, ok: false as const, attempts: 3, error: "no JSON object in the reply", raw: "<script>alert(1)</script>" };

const prompts: AbPromptResult[] = [
  prompt("p1", "advice", [answer("aaaa"), answer("bbbbbbbb")], [scores(3), scores(5)], [pair([1, 1], 4)]),
  prompt("p2", "advice", [answer("aaaaaaaa"), answer("bbbb", { finishReason: "length", stopReason: null })], [scores(4), scores(2)], [pair([0, 0], -4)]),
  prompt(
    "p3",
    "coding",
    [answer("I'm sorry, but I can't help with that."), answer("sure <b>bold</b>")],
    [scores(2), { ok: false, attempts: 3, error: '"clarity" is missing', raw: "{}" }],
    [pair([1, 0.5], -22)],
  ),
  prompt(
    "p4",
    "coding",
    [answer("x"), answer("", { error: "context_length_exceeded", finishReason: null, stopReason: null, completionTokens: null })],
    [scores(1), null],
    [{ candidate: B, sample: 0, orders: [], preference: null, verdict: null, lengthDifference: -1, skipped: `no answer from ${B}` }],
  ),
  prompt(
    "p5",
    "coding",
    [answer("yyyy"), answer("zzzz", { stopReason: "urial:repetition" })],
    [scores(3), scores(3)],
    [{ candidate: B, sample: 0, orders: [pair([1, 1], 0).orders[0]!, failedOrder], preference: null, verdict: null, lengthDifference: 0 }],
  ),
];

describe("answer quality signals", () => {
  it("spots refusals near the start and clean endings", () => {
    expect(isRefusal("I'm sorry, but I can't help with that.")).toBe(true);
    expect(isRefusal("I cannot provide instructions for that, but here is a safer idea.")).toBe(true);
    expect(isRefusal("As an AI, I have no opinion.")).toBe(true);
    expect(isRefusal("Sure! Here is how to sharpen a knife.")).toBe(false);
    expect(isRefusal(`${"x".repeat(400)} I cannot help with that.`)).toBe(false);
    expect(endedCleanly(answer("x"))).toBe(true);
    expect(endedCleanly(answer("x", { stopReason: null }))).toBe(true);
    expect(endedCleanly(answer("x", { finishReason: "length" }))).toBe(false);
    expect(endedCleanly(answer("x", { stopReason: "urial:repetition" }))).toBe(false);
  });
});

describe("summarizeAb", () => {
  const summary = summarizeAb(prompts, [A, B], { resamples: 500, seed: 3 });

  it("counts verdicts and shares over the pairs that have one", () => {
    const [comparison] = summary.comparisons;
    // p1 win (1), p2 loss (0), p3 win (0.75); p4 skipped, p5 failed.
    expect(comparison).toMatchObject({ baseline: A, candidate: B, pairs: 3, failedPairs: 1, skippedPairs: 1, wins: 2, ties: 0, losses: 1 });
    expect(comparison!.winShare.value).toBeCloseTo(2 / 3, 12);
    expect(comparison!.lossShare.value).toBeCloseTo(1 / 3, 12);
    expect(comparison!.winRate.value).toBeCloseTo((1 + 0 + 0.75) / 3, 12);
    expect(comparison!.winRate.low).toBeLessThanOrEqual(comparison!.winRate.value!);
    expect(comparison!.winRate.high).toBeGreaterThanOrEqual(comparison!.winRate.value!);
    expect(comparison!.orderAgreement).toBeCloseTo(2 / 3, 12);
    const fit = lengthControlledWinRate([
      { preference: 1, lengthDifference: 4 },
      { preference: 0, lengthDifference: -4 },
      { preference: 0.75, lengthDifference: -22 },
    ]);
    expect(comparison!.lengthControlled.winRate.value).toBeCloseTo(fit.winRate, 12);
    expect(comparison!.lengthControlled.lengthSlope).toBeCloseTo(fit.lengthSlope, 12);
    expect(comparison!.byCategory.map((entry) => [entry.category, entry.pairs, entry.winRate.value])).toEqual([
      ["advice", 2, 0.5],
      ["coding", 1, 0.75],
    ]);
  });

  it("gives each variant its length, refusal and clean-ending rates and aspect means, over answers it has", () => {
    const [a, b] = summary.variants;
    expect(a).toMatchObject({ variant: A, answers: 5, errors: 0, scoreFailures: 0 });
    expect(a!.length.value).toBeCloseTo((4 + 8 + 38 + 1 + 4) / 5, 12);
    expect(a!.refusalRate.value).toBeCloseTo(1 / 5, 12);
    expect(a!.cleanEndingRate.value).toBe(1);
    expect(a!.aspects.helpfulness.value).toBeCloseTo((3 + 4 + 2 + 1 + 3) / 5, 12);
    expect(a!.aspects.overall.value).toBeCloseTo(13 / 5, 12);
    expect(b).toMatchObject({ variant: B, answers: 5, errors: 1, scoreFailures: 1 });
    // b's four answers: 8, 4, 16, 4 characters; two of them end cleanly.
    expect(b!.length.value).toBeCloseTo((8 + 4 + 16 + 4) / 4, 12);
    expect(b!.cleanEndingRate.value).toBeCloseTo(2 / 4, 12);
    expect(b!.aspects.depth.value).toBeCloseTo((5 + 2 + 3) / 3, 12);
    expect(b!.aspects.depth.n).toBe(5);
  });

  it("counts failures and generation errors, and is the same for the same seed", () => {
    expect(summary.failures).toEqual({ generation: 1, scores: 1, pairOrders: 1, retried: 0 });
    expect(summarizeAb(prompts, [A, B], { resamples: 500, seed: 3 })).toEqual(summary);
    expect(summarizeAb(prompts, [A, B], { resamples: 500, seed: 4 }).comparisons[0]!.winRate.low).not.toBeUndefined();
  });
});

function results(): AbResults {
  return buildAbResults({
    outcome: { prompts, work: { generated: 10, answersCached: 0, judgeCalls: 20, judgementsCached: 0 } },
    variants: [
      { id: A, set: "a", version: "1.0.0", hash: "aaaa" },
      { id: B, set: "b", version: "1.0.0", hash: "bbbb" },
    ],
    model: { path: "/models/base.gguf", identity: "x" },
    judge: { kind: "remote", model: "gpt-judge", url: "http://127.0.0.1:9/v1", identity: "remote" },
    settings: { suite: "suite.jsonl", samples: 1, seed: 1, temperature: 0, maxTokens: 64, judgeRetries: 2, bootstrap: { resamples: 200, seed: 1 }, informative: null },
    createdAt: new Date("2025-01-02T03:04:05Z"),
  });
}

describe("the reports", () => {
  it("state the judge and the numbers in Markdown", () => {
    const markdown = renderAbReportMarkdown(results());
    expect(markdown).toContain("# A/B report: urial/b vs urial/a\n");
    expect(markdown).toContain("Judged by model 'gpt-judge' at http://127.0.0.1:9/v1 (judge prompt urial-ab-judge/1).");
    expect(markdown).toMatch(/\| urial\/b \| 3 \| 2 \(66\.7 % \[[\d.]+–[\d.]+\]\) \| 0 \(0\.0 % \[0\.0–0\.0\]\) \| 1 \(33\.3 % \[/);
    expect(markdown).toContain("| 1 / 1 |");
    expect(markdown).toContain("Counted, never dropped: 1 aspect-score judgements and 1 pairwise orders could not be read after 2 retries");
    expect(markdown).toContain("| advice |");
    expect(formatAbSummary(results())).toContain("urial/b vs urial/a: win 2 · tie 0 · loss 1 (3 pairs) · win rate 58.3 % [");
  });

  it("escape model and judge text in the HTML page, which loads nothing", () => {
    const html = renderAbReportHtml(results());
    expect(html).toContain("sure &lt;b&gt;bold&lt;/b&gt;");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<article class="prompt"/g)).toHaveLength(5);
    expect(html).toContain('<option value="advice">advice</option><option value="coding">coding</option>');
    expect(html).toContain("no answer from urial/b");
    expect(html).toContain("scores unreadable after 3 attempts");
  });
});

describe.skipIf(!chromiumExists)(browserSuiteTitle("report.html in Chromium"), () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("filters the answers by category and makes no network request", async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setContent(renderAbReportHtml(results()));
    expect(await page.textContent("#filter-count")).toBe("5 of 5 prompts");
    await page.selectOption("#category-filter", "coding");
    expect(await page.textContent("#filter-count")).toBe("3 of 5 prompts");
    expect(await page.isVisible("#prompt-p1")).toBe(false);
    expect(await page.isVisible("#prompt-p3")).toBe(true);
    await page.selectOption("#category-filter", "");
    expect(await page.isVisible("#prompt-p1")).toBe(true);
    expect(await page.locator("svg.aspect-chart rect").count()).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("about:") && !url.startsWith("data:"))).toEqual([]);
    await page.close();
  });
});
