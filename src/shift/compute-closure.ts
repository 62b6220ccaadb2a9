/**
 * @module shift/compute-closure
 * The closure figure: how much of the zero-shot shifted share the URIAL
 * context removes (see `closureSchema` for the definitions).
 */
import type { BaseScore, Closure } from "./shift-schema.js";

/** Computes the closure over all positions of all answers. */
export function computeClosure(positions: readonly { zeroShot: Pick<BaseScore, "category">; urial: Pick<BaseScore, "category"> }[]): Closure {
  let zeroShotShifted = 0;
  let urialShifted = 0;
  let resolved = 0;
  let introduced = 0;
  for (const { zeroShot, urial } of positions) {
    const before = zeroShot.category === "shifted";
    const after = urial.category === "shifted";
    if (before) zeroShotShifted += 1;
    if (after) urialShifted += 1;
    if (before && !after) resolved += 1;
    if (!before && after) introduced += 1;
  }
  const total = positions.length;
  if (total === 0) return { zeroShotShiftedShare: null, urialShiftedShare: null, points: null, relative: null, resolved, introduced };
  const zeroShotShiftedShare = zeroShotShifted / total;
  const urialShiftedShare = urialShifted / total;
  const points = zeroShotShiftedShare - urialShiftedShare;
  return {
    zeroShotShiftedShare,
    urialShiftedShare,
    points,
    relative: zeroShotShifted === 0 ? null : (zeroShotShifted - urialShifted) / zeroShotShifted,
    resolved,
    introduced,
  };
}
