/**
 * @module shift/summarize-shift
 * All the aggregates of a run, computed only from the per-position records,
 * so that `shift.json` can be checked by recomputing them: the split per
 * context (overall and by position bucket), the position curve, the most
 * often shifted tokens and the closure figure.
 */
import { computeClosure } from "./compute-closure.js";
import { positionBuckets } from "./position-buckets.js";
import type { BaseContextName, ContextSummary, PositionPoint, PromptShift, ShiftedToken, ShiftPosition, ShiftSummary } from "./shift-schema.js";
import { summarizeSplit } from "./summarize-split.js";

/** How many tokens `topShifted` lists per context. */
export const topShiftedLimit = 20;

/** Aggregates the prompts' positions. */
export function summarizeShift(prompts: readonly Pick<PromptShift, "positions" | "answer">[]): ShiftSummary {
  const positions = prompts.flatMap((prompt) => prompt.positions);
  return {
    prompts: prompts.length,
    positions: positions.length,
    truncatedPrompts: prompts.filter((prompt) => prompt.answer.truncated).length,
    zeroShot: summarizeContext(positions, "zeroShot"),
    urial: summarizeContext(positions, "urial"),
    closure: computeClosure(positions),
    byPosition: positionCurve(positions),
    topShifted: { zeroShot: topShiftedTokens(positions, "zeroShot"), urial: topShiftedTokens(positions, "urial") },
  };
}

/** The split of one prompt's positions under both contexts. */
export function summarizePrompt(positions: readonly ShiftPosition[]): PromptShift["summary"] {
  return {
    zeroShot: summarizeSplit(positions.map((position) => position.zeroShot)),
    urial: summarizeSplit(positions.map((position) => position.urial)),
  };
}

function summarizeContext(positions: readonly ShiftPosition[], context: BaseContextName): ContextSummary {
  return {
    overall: summarizeSplit(positions.map((position) => position[context])),
    byBucket: positionBuckets.map((bucket) => ({
      bucket: bucket.label,
      from: bucket.from,
      to: bucket.to,
      ...summarizeSplit(positions.filter((position) => position.position >= bucket.from && (bucket.to === null || position.position <= bucket.to)).map((position) => position[context])),
    })),
  };
}

function positionCurve(positions: readonly ShiftPosition[]): PositionPoint[] {
  const byIndex = new Map<number, ShiftPosition[]>();
  for (const position of positions) {
    const list = byIndex.get(position.position) ?? [];
    list.push(position);
    byIndex.set(position.position, list);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([position, list]) => {
      const point = (context: BaseContextName) => ({
        meanKl: mean(list.map((entry) => entry[context].kl)),
        meanRank: mean(list.map((entry) => entry[context].rank)),
        shiftedShare: list.filter((entry) => entry[context].category === "shifted").length / list.length,
      });
      return { position, count: list.length, zeroShot: point("zeroShot"), urial: point("urial") };
    });
}

function topShiftedTokens(positions: readonly ShiftPosition[], context: BaseContextName): ShiftedToken[] {
  const tokens = new Map<number, { tokenId: number; text: string; shifted: number; occurrences: number }>();
  for (const position of positions) {
    const entry = tokens.get(position.tokenId) ?? { tokenId: position.tokenId, text: position.text, shifted: 0, occurrences: 0 };
    entry.occurrences += 1;
    if (position[context].category === "shifted") entry.shifted += 1;
    tokens.set(position.tokenId, entry);
  }
  return [...tokens.values()]
    .filter((entry) => entry.shifted > 0)
    .sort((a, b) => b.shifted - a.shifted || b.shifted / b.occurrences - a.shifted / a.occurrences || a.tokenId - b.tokenId)
    .slice(0, topShiftedLimit);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
