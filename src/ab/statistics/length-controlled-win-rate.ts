/**
 * @module ab/statistics/length-controlled-win-rate
 * AlpacaEval 2's length control, for two variants: judges prefer longer
 * answers, so a variant can "win" by padding. Regress each pair's preference
 * on the normalised length difference, `logit P(candidate wins) = β0 + β1 ·
 * tanh(Δlength / sd(Δlength))`, and report the win rate the fit predicts at a
 * length difference of zero, σ(β0). AlpacaEval also has a per-instruction
 * difficulty term; with one comparison per prompt it is not identifiable, so
 * it is left out.
 */
import { fitLogistic, sigmoid, type LogisticOptions } from "./logistic-regression.js";

/** One judged pair. */
export interface LengthPair {
  /** P(candidate wins): 1 won, 0.5 tie, 0 lost; averages of judge orders allowed. */
  preference: number;
  /** Candidate answer length minus baseline answer length (characters). */
  lengthDifference: number;
}

export interface LengthControlledResult {
  /** σ(β0): the predicted win rate at zero length difference. */
  winRate: number;
  /** The plain mean preference, for comparison. */
  rawWinRate: number;
  intercept: number;
  /** β1: how strongly preference follows length (per unit of tanh-normalised difference). */
  lengthSlope: number;
  /** Standard deviation of the length differences used to normalise them. */
  lengthScale: number;
}

/** Fits the length-controlled win rate; NaN win rates for no pairs. */
export function lengthControlledWinRate(pairs: readonly LengthPair[], options: LogisticOptions = {}): LengthControlledResult {
  if (pairs.length === 0) return { winRate: Number.NaN, rawWinRate: Number.NaN, intercept: Number.NaN, lengthSlope: Number.NaN, lengthScale: Number.NaN };
  const differences = pairs.map((pair) => pair.lengthDifference);
  const scale = standardDeviation(differences);
  const x = differences.map((difference) => (scale > 0 ? Math.tanh(difference / scale) : 0));
  const y = pairs.map((pair) => pair.preference);
  const fit = fitLogistic(x, y, options);
  return {
    winRate: sigmoid(fit.intercept),
    rawWinRate: y.reduce((sum, value) => sum + value, 0) / y.length,
    intercept: fit.intercept,
    lengthSlope: fit.slope,
    lengthScale: scale,
  };
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - average) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}
