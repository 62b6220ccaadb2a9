/**
 * @module ab/judge/judge-agreement
 * How well a weak (cheap) judge stands in for a strong one on the same
 * pairs (the weak-to-strong check): how often their verdicts agree, Cohen's
 * κ over win / tie / loss, and how much of the strong judge's margin — its
 * mean preference for the candidate minus one half — the weak judge
 * recovers (1: all of it, 0: none, negative: the other way).
 */
import { cohenKappa, type Agreement } from "../statistics/cohen-kappa.js";

export interface JudgeAgreement {
  /** Pairs both judges gave a verdict. */
  pairs: number;
  agreement: Agreement;
  /** Mean strong preference − 0.5 on those pairs. */
  strongMargin: number | null;
  weakMargin: number | null;
  /** weakMargin / strongMargin; null when the strong margin is 0. */
  marginRecovered: number | null;
  /** Among pairs the strong judge decided (win or loss), the share the weak judge decided the same way. */
  decisiveAgreement: number | null;
  decisivePairs: number;
}

/** Compares two judges' preferences on the same pairs (null: that judge has no verdict). */
export function compareJudges(weak: readonly (number | null)[], strong: readonly (number | null)[]): JudgeAgreement {
  if (weak.length !== strong.length) throw new Error(`compareJudges: ${weak.length} and ${strong.length} pairs`);
  const both = weak.flatMap((w, index) => {
    const s = strong[index];
    return w === null || s === null || s === undefined ? [] : [{ weak: w, strong: s }];
  });
  const label = (preference: number) => (preference > 0.5 ? "win" : preference < 0.5 ? "loss" : "tie");
  const agreement = cohenKappa(
    both.map((pair) => label(pair.weak)),
    both.map((pair) => label(pair.strong)),
  );
  const margin = (values: number[]) => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length - 0.5);
  const strongMargin = margin(both.map((pair) => pair.strong));
  const weakMargin = margin(both.map((pair) => pair.weak));
  const decisive = both.filter((pair) => label(pair.strong) !== "tie");
  return {
    pairs: both.length,
    agreement,
    strongMargin,
    weakMargin,
    marginRecovered: strongMargin === null || weakMargin === null || Math.abs(strongMargin) < 1e-12 ? null : weakMargin / strongMargin,
    decisiveAgreement: decisive.length === 0 ? null : decisive.filter((pair) => label(pair.weak) === label(pair.strong)).length / decisive.length,
    decisivePairs: decisive.length,
  };
}
