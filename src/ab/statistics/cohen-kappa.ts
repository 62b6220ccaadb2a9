/**
 * @module ab/statistics/cohen-kappa
 * Agreement between two raters on the same items: the raw share of equal
 * labels, and Cohen's κ, which discounts the agreement expected by chance
 * from each rater's own label frequencies.
 */

export interface Agreement {
  /** Items both raters labelled. */
  n: number;
  /** Share of items with the same label. */
  observed: number;
  /** Agreement expected by chance. */
  expected: number;
  /** (observed − expected) / (1 − expected); 1 when both agree perfectly on a single label, null with no items. */
  kappa: number | null;
}

/** Cohen's κ of two equally long label lists. */
export function cohenKappa<Label>(first: readonly Label[], second: readonly Label[]): Agreement {
  if (first.length !== second.length) throw new Error(`cohenKappa: ${first.length} and ${second.length} labels`);
  const n = first.length;
  if (n === 0) return { n: 0, observed: Number.NaN, expected: Number.NaN, kappa: null };
  const countsFirst = new Map<Label, number>();
  const countsSecond = new Map<Label, number>();
  let same = 0;
  for (let index = 0; index < n; index += 1) {
    const a = first[index]!;
    const b = second[index]!;
    if (a === b) same += 1;
    countsFirst.set(a, (countsFirst.get(a) ?? 0) + 1);
    countsSecond.set(b, (countsSecond.get(b) ?? 0) + 1);
  }
  const observed = same / n;
  let expected = 0;
  for (const [label, count] of countsFirst) expected += (count / n) * ((countsSecond.get(label) ?? 0) / n);
  const kappa = expected >= 1 ? (observed >= 1 ? 1 : 0) : (observed - expected) / (1 - expected);
  return { n, observed, expected, kappa };
}
