/**
 * @module ab/report/render-calibration
 * The `urial ab calibrate` report: which judge is which, their agreement
 * and κ, and the margin recovered, as Markdown. Pure.
 */
import type { JudgeAgreement } from "../judge/judge-agreement.js";
import type { JudgeDescription } from "../judge/judge-backend.js";

export interface CalibratedJudge extends Omit<JudgeDescription, "identity"> {
  /** Mean preference for the candidates on the pairs this judge decided. */
  winRate: number | null;
  failedPairs: number;
}

export interface CalibrationReport {
  format: "urial-ab-calibration";
  version: 1;
  createdAt: string;
  /** The run whose pairs were judged. */
  from: string;
  weak: CalibratedJudge;
  strong: CalibratedJudge;
  pairs: number;
  comparison: JudgeAgreement;
  perPair: { prompt: string; candidate: string; sample: number; weak: number | null; strong: number | null }[];
}

const percent = (value: number | null) => (value === null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(1)} %`);
const describe = (judge: CalibratedJudge) => (judge.kind === "remote" ? `'${judge.model}' at ${judge.url}` : `local ${judge.model}`);

export function renderCalibrationMarkdown(report: CalibrationReport): string {
  const { comparison } = report;
  return [
    "# Judge calibration",
    "",
    `Weak judge: ${describe(report.weak)}. Strong judge (the reference): ${describe(report.strong)}. ${report.pairs} answer pairs of ${report.from}, each judged in both orders by each judge.`,
    "",
    `Agreement ${percent(comparison.agreement.observed)} on ${comparison.pairs} pairs (win / tie / loss), Cohen's κ ${comparison.agreement.kappa === null ? "–" : comparison.agreement.kappa.toFixed(3)}, margin recovered ${comparison.marginRecovered === null ? "–" : comparison.marginRecovered.toFixed(2)}, decisive agreement ${percent(comparison.decisiveAgreement)} (${comparison.decisivePairs} pairs the strong judge decided).`,
    "",
    "| judge | model | candidate win rate | pairs without a verdict |",
    "|---|---|---:|---:|",
    `| weak | ${describe(report.weak)} | ${percent(report.weak.winRate)} | ${report.weak.failedPairs} |`,
    `| strong | ${describe(report.strong)} | ${percent(report.strong.winRate)} | ${report.strong.failedPairs} |`,
    "",
    `Margin: the mean preference for the candidate minus one half, on pairs both judges decided — strong ${comparison.strongMargin === null ? "–" : comparison.strongMargin.toFixed(3)}, weak ${comparison.weakMargin === null ? "–" : comparison.weakMargin.toFixed(3)}. Margin recovered is weak / strong: 1 means the weak judge reaches the same overall verdict with the same strength, 0 means it sees no difference, a negative value means it prefers the other variant. Chance agreement (κ's baseline): ${percent(comparison.agreement.expected)}.`,
    "",
  ].join("\n");
}
