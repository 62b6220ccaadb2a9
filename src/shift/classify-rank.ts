/**
 * @module shift/classify-rank
 * The token-distribution-shift category of a base-model rank η.
 */
import type { ShiftCategory } from "./shift-schema.js";

/** η = 1 → unshifted; 2–3 → marginal; > 3 → shifted. */
export function classifyRank(rank: number): ShiftCategory {
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`a rank is a whole number ≥ 1, got ${rank}`);
  if (rank === 1) return "unshifted";
  return rank <= 3 ? "marginal" : "shifted";
}
