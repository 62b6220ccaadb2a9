/**
 * @module ab/offline/evolve-prompts
 * `urial ab evolve` (from eva): ask a model for a harder version of each of
 * the most informative prompts, so the next run spends its budget where the
 * variants disagree. The instruction is this project's own; the reply is
 * `{"prompt": "…"}`, retried when unreadable.
 */
import type { JudgeMessages } from "../judge/judge-prompts.js";
import { extractJsonObject, JudgeParseError } from "../judge/parse-judgement.js";

/** The request for a harder variant of `query` (a prompt of `category`). */
export function evolvePrompt(query: string, category: string): JudgeMessages {
  return {
    system: "You write test prompts for comparing AI assistants. You follow the output format exactly.",
    user: [
      "The prompt below is used to compare AI assistants, and their answers to it differed a lot in quality.",
      `Write ONE new prompt of the same kind (category: ${category}) on the same subject that is harder to answer well: it needs more careful reasoning, more specific knowledge, or more constraints handled at once. It must stay self-contained, realistic, and answerable in a few paragraphs. Do not answer it.`,
      "",
      "<prompt>",
      query.replace(/<(\/?)prompt>/gi, "‹$1prompt>"),
      "</prompt>",
      "",
      "Reply with one JSON object and nothing else:",
      '{"prompt": "…"}',
    ].join("\n"),
  };
}

/** Reads `{"prompt": "…"}` (a non-empty text that is not the original). */
export function parseEvolvedPrompt(text: string): string {
  const object = extractJsonObject(text);
  const prompt = object.prompt;
  if (typeof prompt !== "string" || prompt.trim().length === 0) throw new JudgeParseError('"prompt" is missing or empty');
  return prompt.trim();
}
