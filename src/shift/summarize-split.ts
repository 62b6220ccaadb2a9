/**
 * @module shift/summarize-split
 * The three-way split (and mean KL) over a list of base-model scores.
 */
import type { BaseScore, Split } from "./shift-schema.js";

/** Counts categories and averages KL; shares are null for an empty list. */
export function summarizeSplit(scores: readonly Pick<BaseScore, "category" | "kl">[]): Split {
  let unshifted = 0;
  let marginal = 0;
  let shifted = 0;
  let klSum = 0;
  for (const score of scores) {
    if (score.category === "unshifted") unshifted += 1;
    else if (score.category === "marginal") marginal += 1;
    else shifted += 1;
    klSum += score.kl;
  }
  const positions = scores.length;
  const shareOf = (value: number) => (positions === 0 ? null : value / positions);
  return {
    positions,
    unshifted,
    marginal,
    shifted,
    unshiftedShare: shareOf(unshifted),
    marginalShare: shareOf(marginal),
    shiftedShare: shareOf(shifted),
    meanKl: positions === 0 ? null : klSum / positions,
  };
}
