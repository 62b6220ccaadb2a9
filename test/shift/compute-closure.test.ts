import { describe, expect, it } from "vitest";
import { computeClosure } from "../../src/shift/compute-closure.js";
import { makePosition } from "./support/make-position.js";

describe("computeClosure", () => {
  it("is the share of the zero-shot shifted share that URIAL removes", () => {
    // 10 positions: zero-shot shifts 4, URIAL shifts 1 of them and none new.
    const positions = [
      ...[5, 9, 40, 4].map((rank, index) => makePosition(index + 1, { zeroShot: rank, urial: index === 0 ? 7 : 1 })),
      ...Array.from({ length: 6 }, (_, index) => makePosition(index + 5, { zeroShot: 1, urial: 1 })),
    ];
    const closure = computeClosure(positions);
    expect(closure.zeroShotShiftedShare).toBeCloseTo(0.4, 12);
    expect(closure.urialShiftedShare).toBeCloseTo(0.1, 12);
    expect(closure.points).toBeCloseTo(0.3, 12);
    expect(closure.relative).toBeCloseTo(0.75, 12);
    expect(closure).toMatchObject({ resolved: 3, introduced: 0 });
  });

  it("is negative when URIAL shifts more than zero-shot", () => {
    const positions = [makePosition(1, { zeroShot: 5, urial: 5 }), makePosition(2, { zeroShot: 1, urial: 8 }), makePosition(3, { zeroShot: 1, urial: 1 }), makePosition(4, { zeroShot: 2, urial: 2 })];
    const closure = computeClosure(positions);
    expect(closure.relative).toBeCloseTo(-1, 12);
    expect(closure).toMatchObject({ resolved: 0, introduced: 1 });
  });

  it("counts a move from shifted to marginal as resolved", () => {
    expect(computeClosure([makePosition(1, { zeroShot: 4, urial: 3 })])).toMatchObject({ resolved: 1, relative: 1, urialShiftedShare: 0 });
  });

  it("has no relative figure when nothing was shifted zero-shot", () => {
    expect(computeClosure([makePosition(1, { zeroShot: 2, urial: 9 })])).toMatchObject({ zeroShotShiftedShare: 0, relative: null, introduced: 1 });
  });

  it("is all null without positions", () => {
    expect(computeClosure([])).toEqual({ zeroShotShiftedShare: null, urialShiftedShare: null, points: null, relative: null, resolved: 0, introduced: 0 });
  });
});
