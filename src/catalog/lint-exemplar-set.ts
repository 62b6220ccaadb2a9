/**
 * @module catalog/lint-exemplar-set
 * Checks an exemplar set beyond its schema: nothing in its texts can break the
 * prompt layout, structured answers follow URIAL's restyled form, and (given a
 * tokenizer) the rendered prefix plus an answer budget fits the context.
 * Pure: the tokenizer is passed in.
 */
import { renderUrialPrompt } from "../prompt/render-urial-prompt.js";
import { exemplarExchanges, type ExemplarSet } from "./catalog.js";
import type { CatalogProblem } from "./load-catalog.js";

export interface TokenBudget {
  /** Tokenizes a whole prompt as the server would. */
  tokenize(text: string): number[];
  /** Tokens per sequence the server would use. */
  contextSize: number;
  /** Tokens to leave for the answer. */
  answerTokens: number;
}

export interface SetReport {
  problems: CatalogProblem[];
  /** Tokens of system prompt + exemplars (with a tokenizer). */
  prefixTokens?: number;
  /** Tokens of the whole prompt for the sample query. */
  promptTokens?: number;
}

/** The query used to measure a rendered prompt. */
export const sampleQuery = "What are three things I should know before adopting a dog?";

const headerLike = /^[ \t]*#+[ \t]*(query|answer|instruction)\b/im;
const markerLike = /<\/?internal-thoughts>/i;
const numberedItem = /^\s*(\d+)[.)]\s+\S/;

export function lintExemplarSet(set: ExemplarSet, budget?: TokenBudget): SetReport {
  const problems: CatalogProblem[] = [];
  const add = (field: string, message: string) => problems.push({ file: set.file, field, message });

  set.exemplars.forEach((exemplar, index) => {
    const base = `exemplars.${index}`;
    const turns = [
      { path: base, query: exemplar.query, answer: exemplar.answer, thoughts: exemplar.thoughts },
      ...(exemplar.followUps ?? []).map((turn, turnIndex) => ({ path: `${base}.followUps.${turnIndex}`, ...turn })),
    ];
    for (const turn of turns) {
      for (const [name, text] of [
        ["query", turn.query],
        ["answer", turn.answer],
        ["thoughts", turn.thoughts],
      ] as const) {
        if (text === undefined) continue;
        if (headerLike.test(text)) add(`${turn.path}.${name}`, "has a line that looks like a block header (# Query / # Answer / # Instruction)");
        if (markerLike.test(text)) add(`${turn.path}.${name}`, "contains an internal-thoughts marker");
        const fences = text.split("\n").filter((line) => /^[ \t]*`{3,}/.test(line)).length;
        if (fences % 2 !== 0) add(`${turn.path}.${name}`, `has ${fences} fence lines; code fences must be balanced`);
      }
      if ((exemplar.style ?? "structured") === "structured") {
        for (const message of styleProblems(turn.answer)) add(`${turn.path}.answer`, message);
      }
    }
  });
  if (/^[ \t]*#+[ \t]*(query|answer)\b/im.test(set.systemPrompt)) {
    problems.push({ file: set.file, field: "systemPrompt", message: `system prompt '${set.systemPromptName}' has a line that looks like a block header` });
  }

  const report: SetReport = { problems };
  if (budget) {
    const rendered = renderUrialPrompt({ system: set.systemPrompt, exemplars: exemplarExchanges(set), history: [], query: sampleQuery, template: set.template });
    report.prefixTokens = budget.tokenize(rendered.text.slice(0, rendered.prefixLength)).length;
    report.promptTokens = budget.tokenize(rendered.text).length;
    const needed = report.promptTokens + budget.answerTokens;
    if (needed > budget.contextSize) {
      add("exemplars", `prompt (${report.promptTokens} tokens with a sample query) + ${budget.answerTokens} answer tokens = ${needed} > context ${budget.contextSize}`);
    }
  }
  return report;
}

/**
 * URIAL's restyled form: an opening that acknowledges the question (not a
 * list), a numbered list of at least two points in order, and a closing
 * paragraph after the list.
 */
export function styleProblems(answer: string): string[] {
  const paragraphs = answer
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim());
  const problems: string[] = [];
  const first = paragraphs[0] ?? "";
  if (numberedItem.test(first) || /^\s*[-*]\s/.test(first)) problems.push("opens with a list; URIAL answers open by acknowledging the question");
  const numbers = answer
    .split("\n")
    .map((line) => numberedItem.exec(line)?.[1])
    .filter((value): value is string => value !== undefined)
    .map(Number);
  if (numbers.length < 2) problems.push("has no numbered list of at least two points");
  else if (numbers.some((value, index) => value !== index + 1)) problems.push(`numbered points are not in order 1, 2, 3… (found ${numbers.join(", ")})`);
  const last = paragraphs[paragraphs.length - 1] ?? "";
  if (paragraphs.length < 2 || numberedItem.test(last.split("\n").pop() ?? "")) problems.push("does not end with a closing summary paragraph after the list");
  return problems;
}
