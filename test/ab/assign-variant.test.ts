/**
 * Arm assignment: deterministic per sticky key, independent per experiment
 * salt, and distributed as the weights say.
 */
import { describe, expect, it } from "vitest";
import { assignVariant, hashToUnit, pickByWeight, stickyKeyOf, type StickyInputs } from "../../src/ab/online/assign-variant.js";
import type { ExperimentConfig } from "../../src/ab/online/experiment-schema.js";
import { seededRandom } from "../../src/ab/statistics/seeded-random.js";

function experiment(weights: number[], sticky: ExperimentConfig["sticky"] = ["user"], salt = "exp"): ExperimentConfig {
  return { id: "exp", model: "urial/ab/exp", salt, sticky, variants: weights.map((weight, index) => ({ name: `v${index}`, exemplars: "tiny", weight })) };
}

const noHeaders = (user?: string): StickyInputs => ({ user, header: () => undefined });

describe("pickByWeight", () => {
  it("splits [0, 1) into consecutive shares of the weights", () => {
    expect(pickByWeight([1, 3], 0)).toBe(0);
    expect(pickByWeight([1, 3], 0.2499)).toBe(0);
    expect(pickByWeight([1, 3], 0.25)).toBe(1);
    expect(pickByWeight([1, 3], 0.9999)).toBe(1);
    expect(pickByWeight([2, 1, 1], 0.5)).toBe(1);
    expect(pickByWeight([2, 1, 1], 0.75)).toBe(2);
  });

  it("never picks a weight-0 variant", () => {
    expect(pickByWeight([0, 1], 0)).toBe(1);
    expect(pickByWeight([1, 0, 1], 0.5)).toBe(2);
    expect(pickByWeight([1, 0], 0.99999999)).toBe(0);
    expect(() => pickByWeight([0, 0], 0.5)).toThrow(/no positive weight/);
  });
});

describe("hashToUnit", () => {
  it("is a deterministic point in [0, 1) that depends on the salt and the key", () => {
    const point = hashToUnit("exp", "alice");
    expect(point).toBeGreaterThanOrEqual(0);
    expect(point).toBeLessThan(1);
    expect(hashToUnit("exp", "alice")).toBe(point);
    expect(hashToUnit("exp", "bob")).not.toBe(point);
    expect(hashToUnit("other", "alice")).not.toBe(point);
    // The salt and key are separated, so "ab"+"c" and "a"+"bc" differ.
    expect(hashToUnit("ab", "c")).not.toBe(hashToUnit("a", "bc"));
  });
});

describe("assignVariant", () => {
  it("gives the same user the same variant every time, without using the random source", () => {
    const config = experiment([1, 1]);
    const random = () => {
      throw new Error("a sticky user must not draw at random");
    };
    for (const user of ["alice", "bob", "carol", "dave"]) {
      const first = assignVariant(config, noHeaders(user), random);
      expect(first.by).toBe("user");
      for (let repeat = 0; repeat < 5; repeat += 1) expect(assignVariant(config, noHeaders(user), random)).toEqual(first);
      expect(first.index).toBe(pickByWeight([1, 1], hashToUnit("exp", user)));
    }
  });

  it("splits users by the weights: 20,000 users within 1.5 points of each share", () => {
    for (const weights of [
      [1, 1],
      [1, 3],
      [2, 1, 1],
      [0, 1, 4],
    ]) {
      const config = experiment(weights);
      const counts = weights.map(() => 0);
      const users = 20_000;
      for (let user = 0; user < users; user += 1) counts[assignVariant(config, noHeaders(`user-${user}`)).index]! += 1;
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      counts.forEach((count, index) => expect(Math.abs(count / users - weights[index]! / total)).toBeLessThan(0.015));
      if (weights[0] === 0) expect(counts[0]).toBe(0);
    }
  });

  it("splits users independently in experiments with different salts", () => {
    const first = experiment([1, 1], ["user"], "first");
    const second = experiment([1, 1], ["user"], "second");
    let same = 0;
    const users = 4000;
    for (let user = 0; user < users; user += 1) {
      if (assignVariant(first, noHeaders(`u${user}`)).index === assignVariant(second, noHeaders(`u${user}`)).index) same += 1;
    }
    // Independent halves agree about half the time; the same salt would agree always.
    expect(same / users).toBeGreaterThan(0.45);
    expect(same / users).toBeLessThan(0.55);
  });

  it("takes the first sticky source present, and draws at random when none is", () => {
    const config = experiment([1, 1], ["user", "header:x-session-id"]);
    const headers =
      (values: Record<string, string>): StickyInputs["header"] =>
      (name) =>
        values[name];
    expect(stickyKeyOf(config.sticky, { user: "alice", header: headers({ "x-session-id": "s1" }) })).toEqual({ source: "user", key: "alice" });
    expect(stickyKeyOf(config.sticky, { user: null, header: headers({ "x-session-id": "s1" }) })).toEqual({ source: "header:x-session-id", key: "s1" });
    expect(stickyKeyOf(config.sticky, { user: "", header: headers({}) })).toBeUndefined();
    expect(assignVariant(config, { user: null, header: headers({ "x-session-id": "s1" }) }).by).toBe("header:x-session-id");

    const draws = [0.1, 0.9];
    const random = () => draws.shift()!;
    expect(assignVariant(config, noHeaders(), random)).toEqual({ index: 0, by: "random" });
    expect(assignVariant(config, noHeaders(), random)).toEqual({ index: 1, by: "random" });
  });

  it("with sticky 'random' ignores the user, and random traffic follows the weights", () => {
    const config = experiment([3, 1], ["random"]);
    const random = seededRandom(7);
    let first = 0;
    for (let request = 0; request < 10_000; request += 1) if (assignVariant(config, noHeaders("alice"), random).index === 0) first += 1;
    expect(Math.abs(first / 10_000 - 0.75)).toBeLessThan(0.02);
  });
});
