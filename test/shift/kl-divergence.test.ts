import { describe, expect, it } from "vitest";
import { klDivergence } from "../../src/shift/kl-divergence.js";

describe("klDivergence", () => {
  it("is 0 for identical distributions", () => {
    const p = Float32Array.from([0.2, 0.3, 0.5]);
    expect(klDivergence(p, p)).toBe(0);
  });

  it("matches a hand computation, in nats", () => {
    const p = [0.5, 0.5];
    const q = [0.9, 0.1];
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1), 12);
  });

  it("is asymmetric: KL(chat ‖ base) is not KL(base ‖ chat)", () => {
    const p = [0.5, 0.5];
    const q = [0.9, 0.1];
    expect(klDivergence(p, q)).not.toBeCloseTo(klDivergence(q, p), 3);
  });

  it("stays finite when the base gives a chat token probability 0", () => {
    const value = klDivergence([0.5, 0.5], [1, 0]);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(10);
  });

  it("ignores tokens the first distribution gives 0", () => {
    expect(klDivergence([1, 0], [1, 0])).toBe(0);
  });

  it("rejects distributions of different sizes", () => {
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow(RangeError);
  });
});
