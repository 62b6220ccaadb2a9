/**
 * @module test/exemplar-search/support/sample-search-report
 * A small, fixed `SearchReport` (no models, no search run) for tests that pin
 * what the report page renders: five contexts with different splits, an
 * empty position bucket, a category with no tokens, a bar too narrow for its
 * percentage, and a label that needs escaping.
 */
import type { SearchReport } from "../../../src/exemplar-search/search-report-schema.js";
import type { BucketSplit, ShiftCategory, Split } from "../../../src/shift/shift-schema.js";
import { summarizeSplit } from "../../../src/shift/summarize-split.js";
import { positionBuckets } from "../../../src/shift/position-buckets.js";

/** The split of `unshifted`/`marginal`/`shifted` positions, each with KL `kl`. */
function split(unshifted: number, marginal: number, shifted: number, kl: number): Split {
  const scores = (category: ShiftCategory, count: number) => Array.from({ length: count }, () => ({ category, kl }));
  return summarizeSplit([...scores("unshifted", unshifted), ...scores("marginal", marginal), ...scores("shifted", shifted)]);
}

/** Buckets 1-5 and 6-20 hold positions; 21-50 and >50 are empty. */
function buckets(first: Split, second: Split): BucketSplit[] {
  const empty = split(0, 0, 0, 0);
  return positionBuckets.map((bucket, index) => ({ ...(index === 0 ? first : index === 1 ? second : empty), bucket: bucket.label, from: bucket.from, to: bucket.to }));
}

function context(label: string, ids: string[], prefixTokens: number | null, first: Split, second: Split): SearchReport["comparison"]["zeroShot"] {
  const overall = split(first.unshifted + second.unshifted, first.marginal + second.marginal, first.shifted + second.shifted, 0.25);
  return { label, ids, prefixTokens, overall, byBucket: buckets(first, second), perQuery: [{ id: "q1", shiftedShare: overall.shiftedShare, meanKl: overall.meanKl }] };
}

export function sampleSearchReport(): SearchReport {
  return {
    format: "urial-exemplar-search",
    version: 1,
    createdAt: "2026-01-02T03:04:05.000Z",
    models: {
      base: { name: "base", path: "/models/base.gguf", vocabularySize: 512, contextSize: 2048 },
      chat: { name: "chat", path: "/models/chat.gguf", vocabularySize: 512, contextSize: 2048 },
    },
    settings: {
      k: 1,
      objective: "shifted",
      seed: 1,
      maxPrefixTokens: 1000,
      maxPrefixTokensFrom: "default",
      informative: null,
      maxEvaluations: null,
      swapPasses: 1,
      randomSets: 1,
      maxTokens: 30,
      temperature: 0,
      systemPrompt: "short",
      pool: "pool.jsonl",
      poolFromChat: null,
      queries: "queries.jsonl",
    },
    pool: [{ id: "a", source: "pool", where: "pool.jsonl:1", query: "What is a cup?", answer: "A small bowl.", styleProblems: [], prefixTokens: 40 }],
    queries: [{ id: "q1", query: "What is a door?", answer: "It closes.", source: "generated", scoredTokens: 10, fullTokens: 10, truncated: false, usedInSearch: true, informativeness: null }],
    steps: [
      { phase: "start", step: 0, position: null, added: null, removed: null, set: [], objective: 0.5, candidates: [] },
      { phase: "greedy", step: 1, position: null, added: "a", removed: null, set: ["a"], objective: 0.1, candidates: [{ id: "a", objective: 0.1 }] },
    ],
    chosen: { ids: ["a"], objective: 0.1, prefixTokens: 40 },
    comparison: {
      zeroShot: context("zero-shot", [], null, split(1, 1, 3, 1), split(3, 1, 1, 0.5)),
      systemOnly: context("system prompt <alone> & co", [], 12, split(2, 0, 3, 1), split(4, 1, 0, 0.1)),
      random: [context("random 1", ["a"], 40, split(4, 0, 1, 1), split(13, 1, 0, 0))],
      chosen: context("chosen", ["a"], 40, split(5, 0, 0, 0), split(4, 1, 0, 0.1)),
      chat: context("chat", [], null, split(5, 0, 0, 0), split(5, 0, 0, 0)),
    },
    closure: { zeroShotShiftedShare: 0.4, urialShiftedShare: 0, points: 0.4, relative: 1, resolved: 4, introduced: 0 },
    randomClosure: [{ zeroShotShiftedShare: 0.4, urialShiftedShare: 0.1, points: 0.3, relative: 0.75, resolved: 3, introduced: 0 }],
    search: {
      zeroShotObjective: 0.5,
      evaluations: 2,
      budgetLimited: false,
      shortBecause: null,
      scoredAnswers: 4,
      cacheHits: 0,
      resumedEntries: 0,
      evaluatedTokens: 100,
      reusedTokens: 0,
      seconds: 1.5,
    },
  };
}
