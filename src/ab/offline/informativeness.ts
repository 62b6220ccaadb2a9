/**
 * @module ab/offline/informativeness
 * Which prompts tell the variants apart (the idea behind eva's prompt
 * selection): per prompt, the gap between the best and the worst variant's
 * mean judged score, minus how much samples of one variant differ among
 * themselves (their mean standard deviation). A prompt where the variants
 * differ far more than a variant differs from itself is informative; one
 * where they differ only by sampling noise is not.
 */
import { standardDeviation } from "../statistics/length-controlled-win-rate.js";

/**
 * `scores[v]` holds variant v's overall scores, one per judged sample.
 * Null when a variant has no judged sample.
 */
export function informativeness(scores: readonly (readonly number[])[]): number | null {
  if (scores.length < 2 || scores.some((samples) => samples.length === 0)) return null;
  const means = scores.map((samples) => samples.reduce((sum, value) => sum + value, 0) / samples.length);
  const between = Math.max(...means) - Math.min(...means);
  const within = scores.reduce((sum, samples) => sum + standardDeviation(samples), 0) / scores.length;
  return between - within;
}

/** Items sorted most informative first (nulls last, file order among equals). */
export function rankByInformativeness<Item extends { informativeness: number | null }>(items: readonly Item[]): Item[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const x = a.item.informativeness;
      const y = b.item.informativeness;
      if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
      return y - x || a.index - b.index;
    })
    .map(({ item }) => item);
}
