/**
 * @module ab/statistics/student-t
 * The two-sided 95 % critical value of Student's t distribution, so a mean's
 * interval from a handful of observations is as wide as it should be (the
 * normal 1.96 understates it badly below ~30).
 */
import { z95 } from "./interval.js";

/** t(0.975, df) for df = 1 … 30. */
const table = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024,
  2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/** The critical value for `degreesOfFreedom` ≥ 1 (above 30, two terms of the Cornish–Fisher expansion; within 0.0001). */
export function studentT95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN;
  if (degreesOfFreedom <= table.length) return table[Math.floor(degreesOfFreedom) - 1]!;
  const df = degreesOfFreedom;
  return z95 + (z95 ** 3 + z95) / (4 * df) + (5 * z95 ** 5 + 16 * z95 ** 3 + 3 * z95) / (96 * df * df);
}
