/**
 * @module ab/ab-gates
 * What a CI can gate on after `urial ab`: the share of answers and of
 * judgements that failed (exit 3 beyond `--max-failures`), and, with
 * `--fail-below RATE`, every candidate's win rate (exit 4 when the lower
 * bound of its 95 % interval is below RATE — the point estimate of a small
 * suite is too noisy to ship on). Failures take precedence: a run whose
 * numbers cannot be trusted fails as such, whatever they say. Pure.
 */
import type { AbResults } from "./ab-results.js";
import { formatPercentInterval } from "../report/format-ab.js";

export interface AbGateOptions {
  /** Largest tolerated share (0–1) of failed answers, and of failed judgements. */
  maxFailures: number;
  /** Smallest tolerated lower bound of each candidate's win rate; undefined: no gate. */
  failBelow?: number;
}

export interface AbGateOutcome {
  /** 0 passed, 3 too many failures, 4 a candidate missed `failBelow`. */
  exitCode: 0 | 3 | 4;
  answers: { failed: number; total: number };
  judgements: { failed: number; total: number };
  /** One line per check, `ok` or `FAIL` first. */
  lines: string[];
}

/** Checks a finished run against the gates. */
export function checkAbGates(results: AbResults, options: AbGateOptions): AbGateOutcome {
  const { summary } = results;
  const answers = { failed: summary.failures.generation, total: summary.variants.reduce((sum, variant) => sum + variant.answers, 0) };
  let judged = 0;
  for (const prompt of results.prompts) {
    for (const judgements of Object.values(prompt.scores)) judged += judgements.filter((judgement) => judgement !== null).length;
    for (const pair of prompt.pairs) judged += pair.orders.length;
  }
  const judgements = { failed: summary.failures.scores + summary.failures.pairOrders, total: judged };
  const share = (part: { failed: number; total: number }) => (part.total === 0 ? 0 : part.failed / part.total);
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const lines: string[] = [];
  let failures = false;
  for (const [name, part] of [
    ["answers", answers],
    ["judgements", judgements],
  ] as const) {
    const over = share(part) > options.maxFailures;
    failures ||= over;
    lines.push(`${over ? "FAIL" : "ok"}: ${part.failed} of ${part.total} ${name} failed (${percent(share(part))}; at most ${percent(options.maxFailures)} allowed by --max-failures)`);
  }
  let missed = false;
  if (options.failBelow !== undefined) {
    for (const comparison of summary.comparisons) {
      const low = comparison.winRate.low;
      const passed = low !== null && low >= options.failBelow;
      missed ||= !passed;
      lines.push(
        `${passed ? "ok" : "FAIL"}: ${comparison.candidate} win rate ${formatPercentInterval(comparison.winRate)} over ${comparison.pairs} pairs; its lower bound must be at least ${percent(options.failBelow)} (--fail-below)`,
      );
    }
  }
  return { exitCode: failures ? 3 : missed ? 4 : 0, answers, judgements, lines };
}
