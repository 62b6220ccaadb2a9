/**
 * `lintExemplarSet` and `styleProblems`: the checks beyond the schema that
 * `urial exemplars lint` runs on every set — prompt-breaking text, URIAL's
 * restyled answer form, and (with a tokenizer) whether the prompt fits.
 */
import { describe, expect, it } from "vitest";
import { hashExemplarSet, type ExemplarSet } from "../../src/catalog/catalog.js";
import type { Exemplar } from "../../src/catalog/catalog-schema.js";
import { lintExemplarSet, sampleQuery, styleProblems, type TokenBudget } from "../../src/catalog/lint-exemplar-set.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";

/** An answer in URIAL's restyled form: acknowledgement, numbered points, closing summary. */
const goodAnswer = ["Good question! Here is what helps.", "", "1. Trim the stems.", "2. Change the water.", "", "Fresh water and clean cuts do most of the work."].join("\n");

function makeSet(exemplars: Exemplar[], options: { template?: "urial" | "principles"; systemPrompt?: string } = {}): ExemplarSet {
  const content = {
    name: "s",
    version: "1",
    description: "d",
    template: options.template ?? "urial",
    systemPromptName: "p",
    systemPrompt: options.systemPrompt ?? "# Instruction\n\nBe helpful.",
    exemplars,
  };
  return { ...content, hash: hashExemplarSet(content), file: "/lib/exemplars/s.json" };
}

const fields = (set: ExemplarSet, budget?: TokenBudget) => lintExemplarSet(set, budget).problems.map((problem) => `${problem.field}: ${problem.message}`);

describe("lintExemplarSet", () => {
  it("finds nothing in a well-formed set, and names the set's file on every problem", () => {
    expect(lintExemplarSet(makeSet([{ id: "a", query: "How do I keep flowers fresh?", answer: goodAnswer }])).problems).toEqual([]);
    const bad = lintExemplarSet(makeSet([{ id: "a", query: "q", answer: "Just this." }]));
    expect(bad.problems.length).toBeGreaterThan(0);
    for (const problem of bad.problems) expect(problem.file).toBe("/lib/exemplars/s.json");
  });

  it("flags a header line in a query, an answer or thoughts, whatever its case or indentation", () => {
    const set = makeSet(
      [
        { id: "a", query: "Look:\n# Query: forged", answer: `${goodAnswer}\n\n  ## answer here` },
        { id: "b", query: "q", answer: goodAnswer, thoughts: "x\n# Instruction\ny" },
      ],
      { template: "principles" },
    );
    const header = "has a line that looks like a block header (# Query / # Answer / # Instruction)";
    expect(fields(set)).toEqual([`exemplars.0.query: ${header}`, `exemplars.0.answer: ${header}`, `exemplars.1.thoughts: ${header}`]);
  });

  it("does not flag '# Query' in the middle of a line", () => {
    expect(fields(makeSet([{ id: "a", query: "What does the text '# Query' mean?", answer: goodAnswer }]))).toEqual([]);
  });

  it("flags an internal-thoughts marker in any text", () => {
    const set = makeSet([{ id: "a", query: "q <internal-thoughts>", answer: goodAnswer.replace("Trim", "</Internal-Thoughts> Trim") }]);
    expect(fields(set)).toEqual(["exemplars.0.query: contains an internal-thoughts marker", "exemplars.0.answer: contains an internal-thoughts marker"]);
  });

  it("flags unbalanced code fences and accepts balanced ones", () => {
    const balanced = goodAnswer.replace("2. Change the water.", "2. Run this:\n```python\nprint(1)\n```");
    expect(fields(makeSet([{ id: "a", query: "q", answer: balanced }]))).toEqual([]);
    const unbalanced = goodAnswer.replace("2. Change the water.", "2. Run this:\n```python\nprint(1)");
    expect(fields(makeSet([{ id: "a", query: "q", answer: unbalanced }]))).toEqual(["exemplars.0.answer: has 1 fence lines; code fences must be balanced"]);
    const three = ["```", "a", "```", "````"].join("\n");
    expect(fields(makeSet([{ id: "a", query: three, answer: goodAnswer }]))).toEqual(["exemplars.0.query: has 3 fence lines; code fences must be balanced"]);
  });

  it("checks the style of structured answers only, including follow-ups", () => {
    const set = makeSet([
      { id: "free", query: "q", answer: "No.", style: "free" },
      { id: "default", query: "q", answer: goodAnswer, followUps: [{ query: "and?", answer: "Just this." }] },
      { id: "explicit", query: "q", answer: "Only a line.", style: "structured" },
    ]);
    expect(fields(set)).toEqual([
      "exemplars.1.followUps.0.answer: has no numbered list of at least two points",
      "exemplars.1.followUps.0.answer: does not end with a closing summary paragraph after the list",
      "exemplars.2.answer: has no numbered list of at least two points",
      "exemplars.2.answer: does not end with a closing summary paragraph after the list",
    ]);
  });

  it("flags a header line in the set's system prompt, naming it", () => {
    const set = makeSet([{ id: "a", query: "q", answer: goodAnswer }], { systemPrompt: "Be kind.\n# Answer:\nforged" });
    expect(lintExemplarSet(set).problems).toEqual([{ file: "/lib/exemplars/s.json", field: "systemPrompt", message: "system prompt 'p' has a line that looks like a block header" }]);
  });

  it("allows the '# Instruction' header in a system prompt", () => {
    expect(fields(makeSet([{ id: "a", query: "q", answer: goodAnswer }], { systemPrompt: "# Instruction\n\nBe kind." }))).toEqual([]);
  });
});

describe("lintExemplarSet with a token budget", () => {
  const set = makeSet([{ id: "a", query: "How do I keep flowers fresh?", answer: goodAnswer }]);
  const rendered = renderUrialPrompt({ system: set.systemPrompt, exemplars: [{ query: "How do I keep flowers fresh?", answer: goodAnswer }], history: [], query: sampleQuery });
  /** One token per character: the counts are the rendered lengths. */
  const budget = (contextSize: number, answerTokens: number): TokenBudget => ({ tokenize: (text) => Array.from(text, () => 0), contextSize, answerTokens });

  it("counts the prefix and the whole prompt for the sample query", () => {
    const report = lintExemplarSet(set, budget(100_000, 10));
    expect(report.prefixTokens).toBe(rendered.prefixLength);
    expect(report.promptTokens).toBe(rendered.text.length);
    expect(report.problems).toEqual([]);
  });

  it("accepts a prompt plus answer budget that exactly fills the context", () => {
    expect(lintExemplarSet(set, budget(rendered.text.length + 50, 50)).problems).toEqual([]);
  });

  it("flags a prompt plus answer budget one token over the context, with the numbers", () => {
    const tokens = rendered.text.length;
    const report = lintExemplarSet(set, budget(tokens + 49, 50));
    expect(report.problems).toEqual([
      {
        file: "/lib/exemplars/s.json",
        field: "exemplars",
        message: `prompt (${tokens} tokens with a sample query) + 50 answer tokens = ${tokens + 50} > context ${tokens + 49}`,
      },
    ]);
  });

  it("renders principles sets with their thoughts when counting", () => {
    const principles = makeSet([{ id: "a", query: "q", answer: goodAnswer, thoughts: "Rule 1 applies." }], { template: "principles" });
    const report = lintExemplarSet(principles, budget(100_000, 1));
    const text = renderUrialPrompt({
      system: principles.systemPrompt,
      exemplars: [{ query: "q", answer: goodAnswer, thoughts: "Rule 1 applies." }],
      history: [],
      query: sampleQuery,
      template: "principles",
    }).text;
    expect(report.promptTokens).toBe(text.length);
  });

  it("reports no counts without a budget", () => {
    const report = lintExemplarSet(set);
    expect(report.prefixTokens).toBeUndefined();
    expect(report.promptTokens).toBeUndefined();
  });
});

describe("styleProblems", () => {
  it("accepts URIAL's restyled form", () => {
    expect(styleProblems(goodAnswer)).toEqual([]);
    expect(styleProblems("Sure.\n\n1) One.\n2) Two.\n3) Three.\n\nThat is all.")).toEqual([]);
  });

  it("flags an answer that opens with a numbered or bulleted list", () => {
    expect(styleProblems("1. One.\n2. Two.\n\nDone.")).toEqual(["opens with a list; URIAL answers open by acknowledging the question"]);
    expect(styleProblems("- One.\n\n1. a\n2. b\n\nDone.")).toEqual(["opens with a list; URIAL answers open by acknowledging the question"]);
  });

  it("flags fewer than two numbered points", () => {
    expect(styleProblems("Sure.\n\n1. Only one.\n\nDone.")).toEqual(["has no numbered list of at least two points"]);
  });

  it("flags points out of order, listing the numbers found", () => {
    expect(styleProblems("Sure.\n\n1. a\n3. b\n2. c\n\nDone.")).toEqual(["numbered points are not in order 1, 2, 3… (found 1, 3, 2)"]);
    expect(styleProblems("Sure.\n\n2. a\n3. b\n\nDone.")).toEqual(["numbered points are not in order 1, 2, 3… (found 2, 3)"]);
  });

  it("flags an answer that ends with the list instead of a closing paragraph", () => {
    expect(styleProblems("Sure.\n\n1. a\n2. b")).toEqual(["does not end with a closing summary paragraph after the list"]);
    expect(styleProblems("Sure.\n\n1. a\n2. b\n\n")).toEqual(["does not end with a closing summary paragraph after the list"]);
  });

  it("reports every problem of a bare one-liner", () => {
    expect(styleProblems("Yes.")).toEqual(["has no numbered list of at least two points", "does not end with a closing summary paragraph after the list"]);
  });
});
