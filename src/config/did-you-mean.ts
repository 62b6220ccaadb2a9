/**
 * @module config/did-you-mean
 * The "Did you mean …?" of an unknown flag, command, action or config-file
 * key: the candidate closest to the word by edit distance, when it is close
 * enough to be a typo.
 */

export interface DidYouMeanOptions {
  /** Count a candidate that starts with the word (of 3 characters or more) as one edit away, so `exemp` finds `exemplars`. Defaults to true. */
  prefixes?: boolean;
}

/** The candidate closest to `word` when it is close enough to be a typo (edit distance ≤ 2, or a third of the word's length). */
export function didYouMean(word: string, candidates: readonly string[], options: DidYouMeanOptions = {}): string | undefined {
  const prefixes = options.prefixes ?? true;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = prefixes && candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
