/**
 * The judge-free style metrics and the interval methods behind them:
 * style detection on answer text, Wilson shares, the order-statistic median
 * interval, Newcombe's difference of proportions, the widening of a
 * zero-width bootstrap interval, and the verdict and gate lines built on
 * them.
 */
import { describe, expect, it } from "vitest";
import { detectAnswerStyle } from "../../src/ab/style/answer-style.js";
import { widenDegenerate } from "../../src/ab/statistics/bounded-interval.js";
import { lowerRank, medianInterval } from "../../src/ab/statistics/median-interval.js";
import { proportionDifference, sideOf } from "../../src/ab/statistics/proportion-difference.js";
import { compareStyle } from "../../src/ab/style/style-difference.js";
import { StyleTally, summarizeStyle } from "../../src/ab/style/style-metrics.js";
import { wilsonInterval } from "../../src/ab/statistics/wilson-interval.js";

const urialAnswer = [
  "Good question! A number is even when it splits into two equal whole parts.",
  "",
  "1. **Last digit**: The last digit of 205 is 5.",
  "2. **Rule**: Numbers ending in 0, 2, 4, 6 or 8 are even.",
  "",
  "In short, 205 is odd.",
].join("\n");

describe("detectAnswerStyle", () => {
  it("sees URIAL's opener, numbered list and closing", () => {
    expect(detectAnswerStyle(urialAnswer)).toEqual({ opener: true, list: true, numberedList: true, closing: true, refusal: false, urialStyle: true });
  });

  it("finds none of it in a terse answer, and each part on its own", () => {
    expect(detectAnswerStyle("No, odd.")).toEqual({ opener: false, list: false, numberedList: false, closing: false, refusal: false, urialStyle: false });
    for (const opener of ["Sure! Here you go.", "Great question! …", "Glad you asked! …", "Of course. …", "Hi! Certainly, …", "What a good question."])
      expect(detectAnswerStyle(opener).opener, opener).toBe(true);
    for (const plain of ["Yes, it is.", "Surely not.", "The question is hard.", "Good morning."]) expect(detectAnswerStyle(plain).opener, plain).toBe(false);
    const bullets = detectAnswerStyle("- Meaning: a port\n- Kind: a place");
    expect(bullets).toMatchObject({ list: true, numberedList: false });
    expect(detectAnswerStyle("1. Start with 7").list).toBe(false);
    // A closing is its own last paragraph; a one-paragraph answer has none.
    expect(detectAnswerStyle("Body text.\n\nIn summary, that is it.").closing).toBe(true);
    expect(detectAnswerStyle("In short, yes.").closing).toBe(false);
    expect(detectAnswerStyle("Body.\n\n1. **A**: x\n2. **B**: y").closing).toBe(false);
    // A list without the opener or closing is not full URIAL style.
    expect(detectAnswerStyle("1. **A**: x\n2. **B**: y\n\nIn short, z.").urialStyle).toBe(false);
    expect(detectAnswerStyle("I'm sorry, but I can't help with that.").refusal).toBe(true);
  });
});

describe("medianInterval", () => {
  it("uses the order statistics with at least 95 % coverage, and no interval below 6 values", () => {
    expect([1, 5, 6, 10, 20, 100].map(lowerRank)).toEqual([0, 0, 1, 2, 6, 40]);
    const values = Array.from({ length: 20 }, (_, index) => (index + 1) * 10);
    // n = 20: x(6) and x(15), the textbook pair (coverage 95.9 %).
    expect(medianInterval(values)).toEqual({ value: 105, low: 60, high: 150, n: 20 });
    expect(medianInterval([3, 1, 2, 5, 4])).toEqual({ value: 3, low: null, high: null, n: 5 });
    expect(medianInterval([])).toEqual({ value: null, low: null, high: null, n: 0 });
    // Ties: the bounds move out to the nearest different values; all equal: no interval, never a zero-width one.
    expect(medianInterval([1, 3, 3, 3, 3, 3, 3, 3, 3, 9])).toEqual({ value: 3, low: 1, high: 9, n: 10 });
    expect(medianInterval([4, 4, 4, 4, 4, 4, 4])).toEqual({ value: 4, low: null, high: null, n: 7 });
    // Large n: the normal approximation of the binomial tail.
    const many = medianInterval(Array.from({ length: 5000 }, (_, index) => index));
    expect(many.low).toBe(2429);
    expect(many.high).toBe(2570);
  });
});

describe("proportionDifference (Newcombe)", () => {
  it("matches Newcombe's published example and is never zero-width at 0/n and n/n", () => {
    // Newcombe (1998), example (a): 56/70 − 48/80 = 0.2, 95 % CI 0.0524 to 0.3339.
    const example = proportionDifference(56, 70, 48, 80);
    expect(example.value).toBeCloseTo(0.2, 10);
    expect(example.low).toBeCloseTo(0.0524, 3);
    expect(example.high).toBeCloseTo(0.3339, 3);
    const extreme = proportionDifference(20, 20, 0, 20);
    expect(extreme.value).toBe(1);
    expect(extreme.high).toBe(1);
    expect(extreme.low!).toBeLessThan(0.9);
    expect(extreme.low!).toBeGreaterThan(0.7);
    const none = proportionDifference(0, 20, 0, 20);
    expect(none.low!).toBeLessThan(0);
    expect(none.high!).toBeGreaterThan(0);
    expect(sideOf(extreme, 0)).toBe("above");
    expect(sideOf(none, 0)).toBe("neither");
    expect(sideOf(proportionDifference(0, 20, 20, 20), 0)).toBe("below");
    expect(proportionDifference(1, 0, 1, 3)).toEqual({ value: null, low: null, high: null, n: 3 });
  });
});

describe("widenDegenerate", () => {
  it("replaces a zero-width interval of a bounded mean by the scaled Wilson interval, and leaves others alone", () => {
    const wide = { value: 0.6, low: 0.4, high: 0.8, n: 10 };
    expect(widenDegenerate(wide, { min: 0, max: 1 })).toBe(wide);
    // 20 wins of 20: [83.9 %, 100 %] rather than [100 %, 100 %].
    const all = widenDegenerate({ value: 1, low: 1, high: 1, n: 20 }, { min: 0, max: 1 });
    expect(all).toEqual({ value: 1, low: wilsonInterval(20, 20).low, high: 1, n: 20 });
    expect(all.low!).toBeCloseTo(0.839, 3);
    // Every score a 5 on a 1–5 scale over 8 scores.
    const scores = widenDegenerate({ value: 5, low: 5, high: 5, n: 4 }, { min: 1, max: 5 }, 8);
    expect(scores.low!).toBeCloseTo(1 + 4 * wilsonInterval(8, 8).low!, 10);
    expect(scores.high).toBe(5);
    expect(widenDegenerate({ value: null, low: null, high: null, n: 0 }, { min: 0, max: 1 })).toEqual({ value: null, low: null, high: null, n: 0 });
  });
});

describe("style metrics", () => {
  it("counts shares with Wilson intervals and a median length, online and offline alike", () => {
    const answers = [
      ...Array.from({ length: 18 }, () => ({ style: detectAnswerStyle(urialAnswer), chars: urialAnswer.length, cleanEnding: true })),
      { style: detectAnswerStyle("No, odd."), chars: 8, cleanEnding: true },
      { style: detectAnswerStyle("1. x\n2. y"), chars: 9, cleanEnding: false },
    ];
    const metrics = summarizeStyle(answers);
    expect(metrics.answers).toBe(20);
    expect(metrics.counts).toEqual({ urialStyle: 18, opener: 18, list: 19, closing: 18, cleanEnding: 19, refusal: 0 });
    expect(metrics.urialStyle).toEqual(wilsonInterval(18, 20));
    expect(metrics.refusal).toEqual(wilsonInterval(0, 20));
    expect(metrics.refusal.high!).toBeGreaterThan(0.15);
    expect(metrics.medianChars).toMatchObject({ value: urialAnswer.length, n: 20 });
    const tally = new StyleTally();
    for (const answer of answers) tally.add(answer);
    expect(tally.metrics()).toEqual(metrics);
  });

  it("says which shares differ distinguishably from the baseline", () => {
    const many = (text: string, count: number) => Array.from({ length: count }, () => ({ style: detectAnswerStyle(text), chars: text.length, cleanEnding: true }));
    const candidate = summarizeStyle(many(urialAnswer, 20));
    const baseline = summarizeStyle(many("No, odd.", 20));
    const differences = compareStyle(candidate, baseline);
    expect(differences.map((entry) => [entry.share, entry.verdict])).toEqual([
      ["urialStyle", "higher"],
      ["opener", "higher"],
      ["list", "higher"],
      ["closing", "higher"],
      ["cleanEnding", "same"],
      ["refusal", "same"],
    ]);
    expect(compareStyle(baseline, candidate)[0]!.verdict).toBe("lower");
  });
});
