/**
 * @module shift/format-shift-summary
 * The one-line summary of a run, printed by the CLI and shown at the top of
 * the report.
 */
import type { ShiftSummary, Split } from "./shift-schema.js";

/** Formats a share as a percentage with one decimal ("12.5 %"), or "–" for none. */
export function formatShare(share: number | null): string {
  return share === null ? "–" : `${(share * 100).toFixed(1)} %`;
}

function formatSplit(split: Split): string {
  return `${formatShare(split.unshiftedShare)} unshifted / ${formatShare(split.marginalShare)} marginal / ${formatShare(split.shiftedShare)} shifted`;
}

/** E.g. "3 prompts, 578 answer tokens · zero-shot base: 70.8 % unshifted / … · closure −19.7 % (10.6 % → 12.6 % shifted)". */
export function formatShiftSummary(summary: ShiftSummary): string {
  const { closure } = summary;
  const truncated = summary.truncatedPrompts > 0 ? ` (${summary.truncatedPrompts} cut to fit the context)` : "";
  const closureText =
    closure.relative === null
      ? `closure n/a (no shifted tokens zero-shot)`
      : `closure ${closure.relative < 0 ? "−" : ""}${Math.abs(closure.relative * 100).toFixed(1)} % (${formatShare(closure.zeroShotShiftedShare)} → ${formatShare(closure.urialShiftedShare)} shifted)`;
  return [
    `${summary.prompts} prompt${summary.prompts === 1 ? "" : "s"}, ${summary.positions} answer tokens${truncated}`,
    `zero-shot base: ${formatSplit(summary.zeroShot.overall)}`,
    `URIAL base: ${formatSplit(summary.urial.overall)}`,
    closureText,
  ].join(" · ");
}
