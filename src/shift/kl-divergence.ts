/**
 * @module shift/kl-divergence
 * KL(p ‖ q) between two next-token distributions over the same vocabulary.
 */

/**
 * The smallest probability `q` is taken to have: float32 softmax outputs can
 * underflow to 0 where `p` is not 0, which would make the divergence infinite.
 */
export const probabilityFloor = 1e-45;

/** KL(p ‖ q) = Σ p·ln(p/q), in nats; tokens with p = 0 add nothing. Never negative. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`the distributions have different sizes (${p.length} and ${q.length})`);
  let sum = 0;
  for (let id = 0; id < p.length; id += 1) {
    const pi = p[id]!;
    if (pi <= 0) continue;
    sum += pi * Math.log(pi / Math.max(q[id]!, probabilityFloor));
  }
  // Rounding can leave a tiny negative sum for (near-)identical distributions.
  return Math.max(0, sum);
}
