/**
 * @module test/shift/support/make-position
 * Builds per-position records from ranks, for the aggregation tests.
 */
import { classifyRank } from "../../../src/shift/classify-rank.js";
import type { PromptShift, ShiftPosition } from "../../../src/shift/shift-schema.js";
import { summarizePrompt } from "../../../src/shift/summarize-shift.js";

export interface PositionSpec {
  token?: number;
  text?: string;
  zeroShot: number;
  urial: number;
  zeroShotKl?: number;
  urialKl?: number;
}

/** One position; `position` is 1-based. */
export function makePosition(position: number, spec: PositionSpec): ShiftPosition {
  const base = (rank: number, kl: number) => ({ rank, probability: 1 / (rank + 1), top: [], category: classifyRank(rank), kl });
  return {
    position,
    tokenId: spec.token ?? 100 + position,
    text: spec.text ?? `t${spec.token ?? 100 + position}`,
    special: false,
    chat: { rank: 1, probability: 0.9, top: [] },
    zeroShot: base(spec.zeroShot, spec.zeroShotKl ?? 0),
    urial: base(spec.urial, spec.urialKl ?? 0),
  };
}

/** A prompt whose positions are 1, 2, … in the order of `specs`. */
export function makePrompt(id: string, specs: readonly PositionSpec[], truncated = false): PromptShift {
  const positions = specs.map((spec, index) => makePosition(index + 1, spec));
  return {
    id,
    query: `query ${id}`,
    answer: { text: "", source: "generated", stopReason: "eos", fullTokens: positions.length + (truncated ? 5 : 0), scoredTokens: positions.length, truncated },
    contexts: { chat: { promptTokens: 10, cachedTokens: 0 }, zeroShot: { promptTokens: 12, cachedTokens: 0 }, urial: { promptTokens: 40, cachedTokens: 0 } },
    summary: summarizePrompt(positions),
    positions,
  };
}
