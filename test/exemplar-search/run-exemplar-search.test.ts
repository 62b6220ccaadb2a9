/**
 * The whole search on a fake pair where styled exemplars pull the base model
 * toward the chat model: it picks the styled exemplars, its report is
 * consistent with itself and its schema, a rerun resumes from the cache
 * without scoring anything again, --informative narrows the queries, and
 * bad inputs are clear errors.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aggregate, runExemplarSearch, type SearchInput } from "../../src/exemplar-search/run-exemplar-search.js";
import { parsePool } from "../../src/exemplar-search/read-pool.js";
import { openSearchCache } from "../../src/exemplar-search/search-cache.js";
import { SearchInputError } from "../../src/exemplar-search/search-input-error.js";
import { searchReportSchema } from "../../src/exemplar-search/search-report-schema.js";
import { createStyleLearningPair, styleMarker } from "./support/style-learning-pair.js";

const poolText = [
  { id: "plain-a", query: "What is a cup?", answer: "A small bowl for drinks." },
  { id: "styled-a", query: "What is a door?", answer: `${styleMarker} A door closes an opening.` },
  { id: "plain-b", query: "What is a key?", answer: "It opens locks." },
  { id: "styled-b", query: "What is a lamp?", answer: `${styleMarker} A lamp gives light.` },
  { id: "plain-c", query: "What is a <b>bold</b> word?", answer: "One in <script>bold</script> type." },
]
  .map((line) => JSON.stringify(line))
  .join("\n");

const prompts = [
  { id: "q1", query: "What is a chair?" },
  { id: "q2", query: "What is a window?" },
  { id: "q3", query: "What is a table?" },
  { id: "q4", query: "What is a spoon?" },
];

async function search(overrides: Partial<SearchInput> = {}) {
  const { base, chat } = createStyleLearningPair();
  return runExemplarSearch({
    base,
    chat,
    pool: parsePool(poolText, "pool.jsonl"),
    prompts,
    systemPrompt: { name: "short", text: "# Instruction\n\nAnswers follow." },
    k: 2,
    objective: "shifted",
    seed: 3,
    swapPasses: 1,
    randomSets: 2,
    chatAnswers: { maxTokens: 40, temperature: 0 },
    identity: { base: "fake-base", chat: "fake-chat" },
    cache: await openSearchCache(null),
    files: { pool: "pool.jsonl", poolFromChat: null, queries: "queries.jsonl" },
    now: () => new Date("2026-01-02T03:04:05Z"),
    ...overrides,
  });
}

describe("runExemplarSearch on a fake pair that learns style in context", () => {
  it("chooses the styled exemplars and closes the shift, below zero-shot and the random sets", async () => {
    const { report, chosen } = await search();
    expect(chosen.map((candidate) => candidate.id).sort()).toEqual(["styled-a", "styled-b"]);
    expect(report.chosen.ids).toEqual(chosen.map((candidate) => candidate.id));
    const { comparison } = report;
    expect(comparison.chosen.overall.shiftedShare).toBe(0);
    expect(comparison.chat.overall.shiftedShare).toBe(0);
    expect(comparison.zeroShot.overall.shiftedShare!).toBeGreaterThan(0.3);
    for (const random of comparison.random) expect(random.ids.every((id) => id.startsWith("styled"))).toBe(false);
    for (const random of comparison.random) expect(random.overall.shiftedShare!).toBeGreaterThan(comparison.chosen.overall.shiftedShare!);
    expect(report.closure.relative).toBe(1);
    expect(comparison.chosen.overall.meanKl!).toBeLessThan(1e-6);
  });

  it("writes a report that matches its schema and recomputes from its parts", async () => {
    const { report } = await search();
    expect(searchReportSchema.parse(report)).toEqual(report);
    expect(report.steps.map((step) => [step.phase, step.added])).toEqual([
      ["start", null],
      ["greedy", "styled-a"],
      ["greedy", "styled-b"],
    ]);
    // Step 1 tried every candidate; the styled ones alone already halve the plain ones' share.
    const alone = Object.fromEntries(report.steps[1]!.candidates.map((entry) => [entry.id, entry.objective!]));
    expect(alone["styled-a"]).toBeLessThan(alone["plain-a"]!);
    expect(alone["styled-b"]).toBeLessThan(alone["plain-b"]!);
    // The final objective is the chosen set's shifted share on the search queries (all of them here).
    expect(report.chosen.objective).toBeCloseTo(report.comparison.chosen.overall.shiftedShare!, 12);
    expect(report.search.zeroShotObjective).toBeCloseTo(report.comparison.zeroShot.overall.shiftedShare!, 12);
    const positions = report.queries.reduce((sum, query) => sum + query.scoredTokens, 0);
    for (const context of [report.comparison.zeroShot, report.comparison.chosen, report.comparison.chat]) {
      expect(context.overall.positions).toBe(positions);
      expect(context.byBucket.reduce((sum, bucket) => sum + bucket.positions, 0)).toBe(positions);
    }
    expect(report.pool.find((entry) => entry.id === "plain-a")!.styleProblems.length).toBeGreaterThan(0);
    expect(report.search.reusedTokens).toBeGreaterThan(0);
    expect(report.settings).toMatchObject({ k: 2, objective: "shifted", seed: 3, maxPrefixTokensFrom: "default", informative: null });
  });

  it("is deterministic for a seed", async () => {
    const first = await search();
    const second = await search();
    expect({ ...second.report, search: null }).toEqual({ ...first.report, search: null });
  });

  it("optimises mean KL when asked", async () => {
    const { report } = await search({ objective: "kl" });
    expect(report.chosen.ids.sort()).toEqual(["styled-a", "styled-b"]);
    expect(report.chosen.objective).toBeLessThan(1e-6);
    expect(report.search.zeroShotObjective).toBeGreaterThan(0.1);
    expect(aggregate([{ ranks: [1, 1], kl: [0.5, 1.5] }], "kl")).toBe(1);
  });

  it("resumes from its cache: a rerun scores nothing again and chooses the same set", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "urial-search-cache-")), "cache.jsonl");
    const first = await search({ cache: await openSearchCache(file) });
    expect(first.report.search.scoredAnswers).toBeGreaterThan(20);
    const cache = await openSearchCache(file);
    expect(cache.resumed).toBeGreaterThan(20);
    const { base, chat, inner } = createStyleLearningPair();
    const second = await search({ cache, base, chat });
    expect(second.report.search.scoredAnswers).toBe(0);
    expect(inner.calls).toHaveLength(0);
    expect(second.report.search.cacheHits).toBeGreaterThan(0);
    expect(second.report.chosen).toEqual(first.report.chosen);
    expect(second.report.comparison).toEqual(first.report.comparison);
  });

  it("with --informative, searches on the queries the one-exemplar sets disagree on most", async () => {
    const { report } = await search({ informative: 2 });
    expect(report.queries.filter((query) => query.usedInSearch)).toHaveLength(2);
    expect(report.queries.every((query) => query.informativeness !== null)).toBe(true);
    const used = report.queries.filter((query) => query.usedInSearch).map((query) => query.informativeness!);
    const unused = report.queries.filter((query) => !query.usedInSearch).map((query) => query.informativeness!);
    expect(Math.min(...used)).toBeGreaterThanOrEqual(Math.max(...unused));
    expect(report.chosen.ids.sort()).toEqual(["styled-a", "styled-b"]);
    // The comparison still covers every held-out query.
    expect(report.comparison.chosen.perQuery).toHaveLength(prompts.length);
  });

  it("keeps within --max-prefix-tokens and cuts answers so that every set scores the same positions", async () => {
    const { base } = createStyleLearningPair();
    const systemOnly = base.tokenize("# Instruction\n\nAnswers follow.\n\n\n").length;
    const { report } = await search({ maxPrefixTokens: systemOnly + 70 });
    expect(report.settings).toMatchObject({ maxPrefixTokens: systemOnly + 70, maxPrefixTokensFrom: "flag" });
    expect(report.chosen.prefixTokens).toBeLessThanOrEqual(systemOnly + 70);
    // One ~60-token exemplar fits, two do not.
    expect(report.chosen.ids).toHaveLength(1);
    expect(report.search.shortBecause).toBe("budget");
  });

  it("rejects a held-out query that is also a pool query, and a budget below the system prompt", async () => {
    await expect(search({ prompts: [{ id: "leak", query: "what is a  DOOR?" }] })).rejects.toThrow(/held-out query 'leak' is also the query of pool exemplar 'styled-a'/);
    await expect(search({ maxPrefixTokens: 3 })).rejects.toThrow(SearchInputError);
    await expect(search({ maxPrefixTokens: 3 })).rejects.toThrow(/--max-prefix-tokens 3 is smaller than the system prompt 'short' alone/);
    await expect(search({ pool: [] })).rejects.toThrow(/the pool is empty/);
  });
});
