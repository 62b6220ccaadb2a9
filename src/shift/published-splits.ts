/**
 * @module shift/published-splits
 * The token-distribution-shift splits URIAL's paper published for real
 * base/chat pairs (Lin et al. 2023, "The Unlocking Spell on Base LLMs",
 * measured over their evaluation prompts: the chat model's answer tokens
 * ranked by the base model given the same context), and the table that
 * sets a run's zero-shot split beside one of them. `urial shift
 * --published NAME` prints it, so a run on the same pair can be checked
 * against the paper. Pure.
 */
import { formatShare } from "./format-shift-summary.js";
import type { Split } from "./shift-schema.js";

export interface PublishedSplit {
  /** The pair, as the paper names it. */
  pair: string;
  unshifted: number;
  marginal: number;
  shifted: number;
}

/** Keyed by the `--published` value. */
export const publishedSplits = {
  "llama-2-7b": { pair: "Llama-2-7b → Llama-2-7b-chat", unshifted: 0.777, marginal: 0.145, shifted: 0.078 },
  "mistral-7b": { pair: "Mistral-7B → Mistral-7B-Instruct", unshifted: 0.822, marginal: 0.125, shifted: 0.052 },
} as const satisfies Record<string, PublishedSplit>;

export type PublishedPairName = keyof typeof publishedSplits;

export const publishedPairNames = Object.keys(publishedSplits) as PublishedPairName[];

/** A Markdown-style table: this run's zero-shot (and URIAL) split beside the paper's, with the differences. */
export function formatPublishedComparison(name: PublishedPairName, zeroShot: Split, urial: Split): string {
  const published = publishedSplits[name];
  const points = (measured: number | null, paper: number) => (measured === null ? "–" : `${measured >= paper ? "+" : "−"}${Math.abs((measured - paper) * 100).toFixed(1)}`);
  const row = (label: string, values: [string, string, string]) => `| ${label} | ${values.join(" | ")} |`;
  return [
    `Compared with the published split of ${published.pair} (Lin et al. 2023):`,
    "",
    "| | unshifted | marginal | shifted |",
    "|---|---:|---:|---:|",
    row("this run, zero-shot base", [formatShare(zeroShot.unshiftedShare), formatShare(zeroShot.marginalShare), formatShare(zeroShot.shiftedShare)]),
    row("published (Lin et al. 2023)", [formatShare(published.unshifted), formatShare(published.marginal), formatShare(published.shifted)]),
    row("difference (points)", [points(zeroShot.unshiftedShare, published.unshifted), points(zeroShot.marginalShare, published.marginal), points(zeroShot.shiftedShare, published.shifted)]),
    row("this run, URIAL base", [formatShare(urial.unshiftedShare), formatShare(urial.marginalShare), formatShare(urial.shiftedShare)]),
  ].join("\n");
}
