/**
 * @module exemplar-search/pick-informative-queries
 * Spend the search's compute where it informs (the idea behind eva's prompt
 * selection, as `urial ab` uses it): a held-out query on which every
 * candidate set scores alike cannot tell sets apart, so only the queries on
 * which candidate sets disagree most are kept. Scores are deterministic
 * (teacher forcing, no sampling), so disagreement is simply the standard
 * deviation of the query's objective across the probed sets. Pure.
 */
import { rankByInformativeness } from "../ab/offline/informativeness.js";
import { standardDeviation } from "../ab/statistics/length-controlled-win-rate.js";

export interface QueryDisagreement {
  /** Index of the query in the held-out list. */
  query: number;
  /** Standard deviation of the query's objective across the probed sets; null with fewer than two sets. */
  informativeness: number | null;
}

/**
 * `scores[s][q]` is probed set s's objective on query q (null: set s did not
 * fit). Returns every query's disagreement and the `keep` most informative
 * query indexes, in their original order (ties: the earlier query).
 */
export function pickInformativeQueries(scores: readonly (readonly (number | null)[])[], queryCount: number, keep: number): { disagreement: QueryDisagreement[]; kept: number[] } {
  const disagreement = Array.from({ length: queryCount }, (_, query) => {
    const values = scores.map((row) => row[query]).filter((value): value is number => value !== null && value !== undefined);
    return { query, informativeness: values.length < 2 ? null : standardDeviation(values) };
  });
  const kept = rankByInformativeness(disagreement)
    .slice(0, Math.min(keep, queryCount))
    .map((entry) => entry.query)
    .sort((a, b) => a - b);
  return { disagreement, kept };
}
