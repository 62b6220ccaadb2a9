/**
 * @module ab/statistics/logistic-regression
 * Logistic regression with one feature, fitted by Newton's method on the
 * cross-entropy loss. Targets may be fractional (a tie is 0.5, the average of
 * two judge orders can be 0.25): the loss is the same and so is the fit. A
 * small ridge penalty keeps the fit finite when the data are separable (every
 * pair won); pass `ridge: 0` for the plain maximum-likelihood estimate.
 */

export interface LogisticFit {
  intercept: number;
  slope: number;
  /** Newton steps taken. */
  iterations: number;
  /** True when the last step was below the tolerance. */
  converged: boolean;
}

export interface LogisticOptions {
  /** L2 penalty on both coefficients (λ/2 · β²). Defaults to 0.01. */
  ridge?: number;
  /** Defaults to 100. */
  maxIterations?: number;
  /** Stop when no coefficient moves more than this. Defaults to 1e-10. */
  tolerance?: number;
}

/** The logistic function. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Fits P(y = 1 | x) = σ(intercept + slope · x) to targets `y` in [0, 1]. */
export function fitLogistic(x: readonly number[], y: readonly number[], options: LogisticOptions = {}): LogisticFit {
  if (x.length !== y.length) throw new Error(`fitLogistic: ${x.length} features but ${y.length} targets`);
  const ridge = options.ridge ?? 0.01;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  let intercept = 0;
  let slope = 0;
  for (let iteration = 1; iteration <= maxIterations; iteration += 1) {
    let g0 = ridge * intercept;
    let g1 = ridge * slope;
    let h00 = ridge;
    let h01 = 0;
    let h11 = ridge;
    for (let index = 0; index < x.length; index += 1) {
      const xi = x[index]!;
      const p = sigmoid(intercept + slope * xi);
      const residual = p - y[index]!;
      const weight = p * (1 - p);
      g0 += residual;
      g1 += residual * xi;
      h00 += weight;
      h01 += weight * xi;
      h11 += weight * xi * xi;
    }
    const determinant = h00 * h11 - h01 * h01;
    // A flat curvature (all points at p ≈ 0 or 1, or x constant): move the intercept alone.
    const step0 = Math.abs(determinant) > 1e-12 ? (h11 * g0 - h01 * g1) / determinant : h00 > 1e-12 ? g0 / h00 : 0;
    const step1 = Math.abs(determinant) > 1e-12 ? (h00 * g1 - h01 * g0) / determinant : 0;
    intercept -= step0;
    slope -= step1;
    if (!Number.isFinite(intercept) || !Number.isFinite(slope)) throw new Error("fitLogistic: the fit diverged");
    if (Math.max(Math.abs(step0), Math.abs(step1)) < tolerance) return { intercept, slope, iterations: iteration, converged: true };
  }
  return { intercept, slope, iterations: maxIterations, converged: false };
}
