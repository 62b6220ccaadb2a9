/**
 * @module exemplar-search/sparse-distribution
 * The chat model's next-token distributions, kept for the whole search so
 * that each candidate set's KL(chat ‖ base) needs no second chat pass. A full
 * distribution per position would not fit in memory for a large vocabulary
 * (128k tokens × thousands of positions), so each keeps only its most likely
 * tokens, down to the smallest probability where the kept mass reaches
 * 1 − `droppedMassBound` (found in one pass with a histogram of log
 * probabilities, not a sort). The KL computed over the kept tokens differs
 * from the exact one by at most `droppedMassBound` × ln(1 / probabilityFloor)
 * ≈ 1e-4 nats per position (each dropped term p·ln(p/q) lies between
 * p·ln(p) and p·ln(1/floor)).
 */
import { probabilityFloor } from "../shift/kl-divergence.js";

export interface SparseDistribution {
  ids: Int32Array;
  probabilities: Float32Array;
}

/** The most probability mass the sparse form may leave out. */
export const droppedMassBound = 1e-6;

const binsPerDecade = 10;
const decades = 46;

/** Keeps the top of `probabilities` holding at least 1 − `droppedMassBound` of the mass. */
export function sparsifyDistribution(probabilities: ArrayLike<number>): SparseDistribution {
  const bins = new Float64Array(decades * binsPerDecade + 1);
  let total = 0;
  for (let id = 0; id < probabilities.length; id += 1) {
    const p = probabilities[id]!;
    if (p <= 0) continue;
    total += p;
    bins[binOf(p)]! += p;
  }
  // The lowest bin to keep: where the mass from the top first reaches the target.
  const target = total * (1 - droppedMassBound);
  let kept = 0;
  let lowest = bins.length - 1;
  for (let bin = 0; bin < bins.length; bin += 1) {
    kept += bins[bin]!;
    if (kept >= target) {
      lowest = bin;
      break;
    }
  }
  const ids: number[] = [];
  const values: number[] = [];
  for (let id = 0; id < probabilities.length; id += 1) {
    const p = probabilities[id]!;
    if (p > 0 && binOf(p) <= lowest) {
      ids.push(id);
      values.push(p);
    }
  }
  return { ids: Int32Array.from(ids), probabilities: Float32Array.from(values) };
}

/** KL(p ‖ q) in nats with `p` sparse and `q` full; see the module note for the bound. */
export function sparseKlDivergence(p: SparseDistribution, q: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < p.ids.length; index += 1) {
    const pi = p.probabilities[index]!;
    sum += pi * Math.log(pi / Math.max(q[p.ids[index]!] ?? 0, probabilityFloor));
  }
  return Math.max(0, sum);
}

/** Bin 0 holds p in (10^-0.1, 1]; deeper bins hold smaller probabilities. */
function binOf(p: number): number {
  const bin = Math.floor(-Math.log10(p) * binsPerDecade);
  return Math.min(Math.max(bin, 0), decades * binsPerDecade);
}
