/**
 * @module shift/score-distribution
 * Reads one next-token distribution: the exact rank and probability of a
 * given token over the whole vocabulary, and the top-k alternatives.
 */

export interface DistributionScore {
  /** 1 + the number of tokens strictly more likely than `token` (ties share the better rank). */
  rank: number;
  probability: number;
  /** The `topK` most likely tokens, most likely first (ties: lower id first). */
  top: { id: number; probability: number }[];
}

/** Scores `token` in `probabilities` (indexed by token id). */
export function scoreDistribution(probabilities: ArrayLike<number>, token: number, topK: number): DistributionScore {
  if (token < 0 || token >= probabilities.length) throw new RangeError(`token ${token} is outside the vocabulary of ${probabilities.length}`);
  const probability = probabilities[token]!;
  let above = 0;
  // The top-k, kept sorted, best first; k is small next to the vocabulary.
  const top: { id: number; probability: number }[] = [];
  for (let id = 0; id < probabilities.length; id += 1) {
    const p = probabilities[id]!;
    if (p > probability) above += 1;
    if (top.length < topK || p > top[top.length - 1]!.probability) {
      let at = top.length;
      while (at > 0 && top[at - 1]!.probability < p) at -= 1;
      top.splice(at, 0, { id, probability: p });
      if (top.length > topK) top.pop();
    }
  }
  return { rank: above + 1, probability, top };
}
