import { describe, expect, it } from "vitest";
import { defaultSampling, toSamplingOptions } from "../../src/openai/to-sampling-options.js";

describe("toSamplingOptions", () => {
  it("uses the defaults for an empty request, with no seed", () => {
    const options = toSamplingOptions({});
    expect(options).toEqual({
      temperature: 0.8,
      topK: 40,
      topP: 0.95,
      minP: 0.05,
      repeatPenalty: 1.1,
      frequencyPenalty: 0,
      presencePenalty: 0,
      penaltyLastTokens: 64,
    });
    expect("seed" in options).toBe(false);
  });

  it("defaults the repetition penalty to 1.1 (URIAL's setting for base models)", () => {
    expect(defaultSampling.repeatPenalty).toBe(1.1);
    expect(toSamplingOptions({}).repeatPenalty).toBe(1.1);
  });

  it("maps temperature, keeping 0 (greedy)", () => {
    expect(toSamplingOptions({ temperature: 1.3 }).temperature).toBe(1.3);
    expect(toSamplingOptions({ temperature: 0 }).temperature).toBe(0);
  });

  it("maps top_p to topP", () => {
    expect(toSamplingOptions({ top_p: 0.5 }).topP).toBe(0.5);
    expect(toSamplingOptions({ top_p: 0 }).topP).toBe(0);
  });

  it("maps top_k to topK, keeping 0 (disabled)", () => {
    expect(toSamplingOptions({ top_k: 7 }).topK).toBe(7);
    expect(toSamplingOptions({ top_k: 0 }).topK).toBe(0);
  });

  it("maps min_p to minP, keeping 0 (disabled)", () => {
    expect(toSamplingOptions({ min_p: 0.2 }).minP).toBe(0.2);
    expect(toSamplingOptions({ min_p: 0 }).minP).toBe(0);
  });

  it("maps presence_penalty to presencePenalty", () => {
    expect(toSamplingOptions({ presence_penalty: 1.5 }).presencePenalty).toBe(1.5);
    expect(toSamplingOptions({ presence_penalty: -0.5 }).presencePenalty).toBe(-0.5);
  });

  it("maps frequency_penalty to frequencyPenalty", () => {
    expect(toSamplingOptions({ frequency_penalty: 0.7 }).frequencyPenalty).toBe(0.7);
    expect(toSamplingOptions({ frequency_penalty: -2 }).frequencyPenalty).toBe(-2);
  });

  it("maps repetition_penalty to repeatPenalty, keeping 1 (disabled)", () => {
    expect(toSamplingOptions({ repetition_penalty: 1.3 }).repeatPenalty).toBe(1.3);
    expect(toSamplingOptions({ repetition_penalty: 1 }).repeatPenalty).toBe(1);
  });

  it("maps seed, keeping 0", () => {
    expect(toSamplingOptions({ seed: 42 }).seed).toBe(42);
    expect(toSamplingOptions({ seed: 0 }).seed).toBe(0);
  });

  it("adds the choice index to the seed, so choices differ but are reproducible", () => {
    const seeds = [0, 1, 2, 3].map((choice) => toSamplingOptions({ seed: 42 }, choice).seed);
    expect(seeds).toEqual([42, 43, 44, 45]);
    expect(toSamplingOptions({ seed: 42 }, 2).seed).toBe(toSamplingOptions({ seed: 42 }, 2).seed);
  });

  it("gives distinct seeds in range to every choice of a negative seed", () => {
    for (const seed of [-1, -2, -3, -4]) {
      const seeds = Array.from({ length: 8 }, (_, choice) => toSamplingOptions({ seed }, choice).seed!);
      expect(new Set(seeds).size).toBe(8);
      for (const value of seeds) {
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(2 ** 32);
      }
    }
  });

  it("keeps a huge seed within 32 bits", () => {
    const seed = toSamplingOptions({ seed: 2 ** 32 + 5 }).seed!;
    expect(seed).toBe(5);
  });

  it("leaves the seed out for every choice when none is given", () => {
    expect(toSamplingOptions({}, 3).seed).toBeUndefined();
  });

  it("treats null as absent for every field", () => {
    const options = toSamplingOptions({
      temperature: null,
      top_p: null,
      top_k: null,
      min_p: null,
      presence_penalty: null,
      frequency_penalty: null,
      repetition_penalty: null,
      seed: null,
    });
    expect(options).toEqual(toSamplingOptions({}));
    expect("seed" in options).toBe(false);
  });

  it("takes other defaults when given", () => {
    const defaults = { ...defaultSampling, temperature: 0, repeatPenalty: 1, penaltyLastTokens: 8 };
    const options = toSamplingOptions({ top_k: 3 }, 0, defaults);
    expect(options.temperature).toBe(0);
    expect(options.repeatPenalty).toBe(1);
    expect(options.penaltyLastTokens).toBe(8);
    expect(options.topK).toBe(3);
  });
});
