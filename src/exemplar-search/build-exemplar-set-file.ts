/**
 * @module exemplar-search/build-exemplar-set-file
 * The chosen exemplars as an exemplar-set file in the catalog's own format,
 * ready to drop into `exemplars/` and serve. Texts are written as arrays of
 * lines, as the shipped sets are. An exemplar whose answer does not follow
 * URIAL's structured style (a terse or bullet answer the measurement
 * preferred) is marked `"style": "free"`, so the file still lints; the caller
 * reports it. Pure.
 */
import type { Exemplar } from "../catalog/catalog-schema.js";
import { formatShare } from "../shift/format-shift-summary.js";
import type { PoolCandidate } from "./read-pool.js";
import type { SearchReport } from "./search-report-schema.js";

export interface ExemplarSetFileInput {
  name: string;
  systemPrompt: string;
  chosen: readonly PoolCandidate[];
  report: Pick<SearchReport, "settings" | "closure" | "queries" | "pool" | "comparison">;
}

/** The file's JSON value (write it with `JSON.stringify(value, null, 2)`). */
export function buildExemplarSetFile(input: ExemplarSetFileInput): Record<string, unknown> {
  const { report } = input;
  const principles = input.chosen.some((candidate) => candidate.exemplar.thoughts !== undefined);
  const closure = report.closure.relative === null ? "n/a" : `${(report.closure.relative * 100).toFixed(1)} %`;
  const description =
    `Chosen by 'urial exemplars search' (objective: ${report.settings.objective}): ${input.chosen.length} of ${report.pool.length} pool exemplars; ` +
    `on ${report.queries.length} held-out queries the base model's shifted share goes from ${formatShare(report.comparison.zeroShot.overall.shiftedShare)} zero-shot ` +
    `to ${formatShare(report.comparison.chosen.overall.shiftedShare)} with this set (closure ${closure}).`;
  return {
    name: input.name,
    version: "1.0.0",
    description,
    ...(principles ? { template: "principles" } : {}),
    systemPrompt: input.systemPrompt,
    exemplars: input.chosen.map((candidate) => exemplarEntry(candidate)),
  };
}

function exemplarEntry(candidate: PoolCandidate): Record<string, unknown> {
  const exemplar: Exemplar = candidate.exemplar;
  const lines = (text: string) => (text.includes("\n") ? text.split("\n") : text);
  const style = exemplar.style ?? (candidate.styleProblems.length > 0 ? "free" : undefined);
  return {
    id: candidate.id,
    query: lines(exemplar.query),
    answer: lines(exemplar.answer),
    ...(exemplar.thoughts !== undefined ? { thoughts: lines(exemplar.thoughts) } : {}),
    ...(exemplar.followUps !== undefined
      ? { followUps: exemplar.followUps.map((turn) => ({ query: lines(turn.query), answer: lines(turn.answer), ...(turn.thoughts !== undefined ? { thoughts: lines(turn.thoughts) } : {}) })) }
      : {}),
    ...(style !== undefined ? { style } : {}),
  };
}
