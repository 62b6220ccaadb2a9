/**
 * @module prompt/answer-rules
 * The output-hygiene rules every URIAL answer goes through, as data for the
 * streaming pipeline: stop at the next block, never return prompt material
 * (thought markers, an exemplar's question replayed), cut run-on repetition,
 * and, for the principles template, split internal thoughts from the answer.
 */
import type { PipelineOptions } from "../hygiene/answer-pipeline.js";
import type { CutReason, RepetitionRule } from "../hygiene/completion-text.js";
import { thoughtsClose, thoughtsOpen, urialLineStops, type Exchange, type Template } from "./render-urial-prompt.js";

/** A 6-word n-gram may occur twice; the third occurrence is cut (URIAL filtered outputs on repeated 6-grams). */
export const repetitionRule: RepetitionRule = { ngram: 6, maxOccurrences: 2 };

/** Exemplar questions shorter than this are too generic to count as a leak when they appear in an answer. */
const leakMinLength = 24;

export interface AnswerRulesInput {
  template: Template;
  exemplars: readonly Exchange[];
  /** The client's stop strings. */
  stops: readonly string[];
}

/** The pipeline options for one URIAL chat answer. */
export function urialAnswerPipeline(input: AnswerRulesInput): PipelineOptions {
  const exemplarQuestions = input.exemplars.map((exchange) => exchange.query.trim().split("\n")[0]!.trim()).filter((line) => line.length >= leakMinLength);
  const content = {
    stops: input.stops,
    lineStops: urialLineStops,
    leakStops: [...exemplarQuestions, thoughtsOpen, thoughtsClose],
    repetition: repetitionRule,
    cleanAnswer: true,
  };
  if (input.template === "urial") return { kind: "plain", content };
  return {
    kind: "thoughts",
    closeMarker: thoughtsClose,
    reasoning: { lineStops: urialLineStops, leakStops: [thoughtsOpen], repetition: repetitionRule, cleanAnswer: true },
    content,
  };
}

/**
 * The `stop_reason` reported on a choice (as vLLM does): the client's stop
 * string that matched, or `urial:<kind>` when a hygiene rule cut the answer;
 * null when the model ended by itself or ran out of tokens.
 */
export function stopReasonOf(cut: CutReason | undefined): string | null {
  if (cut === undefined) return null;
  return cut.kind === "stop" ? cut.text : `urial:${cut.kind}`;
}
