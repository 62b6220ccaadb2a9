/**
 * The search's pure parts: reading a pool, picking informative queries, the
 * sparse chat distributions and their KL bound, and the pooled objective.
 */
import { describe, expect, it } from "vitest";
import { pickInformativeQueries } from "../../src/exemplar-search/pick-informative-queries.js";
import { parsePool } from "../../src/exemplar-search/read-pool.js";
import { aggregate } from "../../src/exemplar-search/run-exemplar-search.js";
import { SearchInputError } from "../../src/exemplar-search/search-input-error.js";
import { droppedMassBound, sparseKlDivergence, sparsifyDistribution } from "../../src/exemplar-search/sparse-distribution.js";
import { klDivergence } from "../../src/shift/kl-divergence.js";
import { seededRandom } from "../../src/ab/statistics/seeded-random.js";

const urialAnswer = ["Good question! Here is the short of it.", "", "1. **First**: one.", "2. **Second**: two.", "", "In short, one and two."];

describe("parsePool", () => {
  it("reads JSONL exemplars (answers as lines), numbers missing ids by line and records style problems", () => {
    const text = [JSON.stringify({ id: "urial", query: "What is 2 plus 2?", answer: urialAnswer }), "", "# a comment", JSON.stringify({ query: "What is 3 plus 3?", answer: "6." })].join("\n");
    const pool = parsePool(text, "pool.jsonl");
    expect(pool.map((candidate) => [candidate.id, candidate.source, candidate.where])).toEqual([
      ["urial", "pool", "pool.jsonl:1"],
      ["line-4", "pool", "pool.jsonl:4"],
    ]);
    expect(pool[0]!.exemplar.answer).toBe(urialAnswer.join("\n"));
    expect(pool[0]!.styleProblems).toEqual([]);
    expect(pool[1]!.styleProblems).toContain("has no numbered list of at least two points");
  });

  it("reads an exemplar-set file as a pool", () => {
    const pool = parsePool(
      JSON.stringify({
        name: "x",
        exemplars: [
          { id: "a", query: "Q?", answer: urialAnswer },
          { query: "R?", answer: "r", style: "free" },
        ],
      }),
      "set.json",
    );
    expect(pool.map((candidate) => [candidate.id, candidate.where, candidate.styleProblems])).toEqual([
      ["a", "set.json:exemplars.0", []],
      ["exemplar-2", "set.json:exemplars.1", []],
    ]);
  });

  it.each([
    ["{not json", "pool.jsonl:1: not valid JSON"],
    [JSON.stringify({ query: "Q?" }), "pool.jsonl:1: answer:"],
    [JSON.stringify({ query: "Q?", answer: "a", extra: 1 }), "pool.jsonl:1: unknown field(s) 'extra'"],
    [`${JSON.stringify({ id: "a", query: "Q?", answer: "a" })}\n${JSON.stringify({ id: "a", query: "R?", answer: "b" })}`, "pool.jsonl:2: id 'a' was already used at pool.jsonl:1"],
    [JSON.stringify({ query: "Q?", answer: "fine\n# Query: forged" }), "pool.jsonl:1: answer: has a line that looks like a block header"],
    [`${JSON.stringify({ query: "Q?", answer: "a", thoughts: "t" })}\n${JSON.stringify({ query: "R?", answer: "b" })}`, "pool.jsonl:2: has no thoughts, but pool.jsonl:1 has"],
    ["  \n", "pool.jsonl: the pool is empty"],
  ])("rejects %j with a message naming the line", (text, message) => {
    expect(() => parsePool(text, "pool.jsonl")).toThrow(SearchInputError);
    expect(() => parsePool(text, "pool.jsonl")).toThrow(message);
  });
});

describe("pickInformativeQueries", () => {
  it("keeps the queries the probed sets disagree on most, in their original order", () => {
    // Query 1 and 3 separate the sets; query 0 never changes; query 2 barely.
    const scores = [
      [0.2, 0.9, 0.5, 0.8],
      [0.2, 0.1, 0.5, 0.1],
      [0.2, 0.5, 0.45, 0.4],
    ];
    const picked = pickInformativeQueries(scores, 4, 2);
    expect(picked.kept).toEqual([1, 3]);
    expect(picked.disagreement[0]!.informativeness).toBeCloseTo(0, 12);
    expect(picked.disagreement[1]!.informativeness!).toBeGreaterThan(picked.disagreement[3]!.informativeness!);
  });

  it("ignores sets that did not fit (null) and keeps all queries when asked for more than there are", () => {
    const picked = pickInformativeQueries(
      [
        [0.1, 0.3],
        [null, null],
        [0.3, 0.3],
      ],
      2,
      5,
    );
    expect(picked.kept).toEqual([0, 1]);
    expect(picked.disagreement[1]!.informativeness).toBe(0);
  });
});

describe("sparse chat distributions", () => {
  const softmax = (logits: number[]) => {
    const top = Math.max(...logits);
    const exps = logits.map((value) => Math.exp(value - top));
    const total = exps.reduce((sum, value) => sum + value, 0);
    return Float32Array.from(exps.map((value) => value / total));
  };

  it("keep at least 1 − the bound of the mass and give the exact KL within the stated bound", () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 20; trial += 1) {
      const size = 2000;
      // Peaked distributions with long tails, like a language model's.
      const p = softmax(Array.from({ length: size }, (_, id) => (id === trial ? 12 : 0) + random() * 8 - (id % 97) * 0.2));
      const q = softmax(Array.from({ length: size }, () => random() * 10));
      const sparse = sparsifyDistribution(p);
      const kept = sparse.probabilities.reduce((sum, value) => sum + value, 0);
      expect(kept).toBeGreaterThanOrEqual(1 - droppedMassBound - 1e-6);
      expect(sparse.ids.length).toBeLessThan(size);
      expect(Math.abs(sparseKlDivergence(sparse, q) - klDivergence(p, q))).toBeLessThan(2e-4);
    }
  });

  it("are exact for a distribution with few non-zero entries", () => {
    const p = Float32Array.from([0, 0.5, 0.25, 0.25, 0]);
    const q = Float32Array.from([0.1, 0.2, 0.3, 0.2, 0.2]);
    const sparse = sparsifyDistribution(p);
    expect([...sparse.ids]).toEqual([1, 2, 3]);
    expect(sparseKlDivergence(sparse, q)).toBeCloseTo(klDivergence(p, q), 10);
  });
});

describe("aggregate", () => {
  it("pools positions over answers: the shifted share (rank > 3) or the mean KL", () => {
    const scores = [
      { ranks: [1, 4, 2, 9], kl: [0, 1, 0.5, 2.5] },
      { ranks: [1, 1], kl: [0, 0] },
    ];
    expect(aggregate(scores, "shifted")).toBeCloseTo(2 / 6);
    expect(aggregate(scores, "kl")).toBeCloseTo(4 / 6);
    expect(aggregate([], "shifted")).toBe(0);
  });
});
