/**
 * @module ab/online/assign-variant
 * Which variant a request gets: the sticky key (a user id, a header value)
 * is hashed with the experiment's salt to a point in [0, 1), and the point
 * falls into one variant's share of the weights. Same key, same variant, in
 * every process and after restarts; no key: a random draw.
 */
import { createHash } from "node:crypto";
import type { ExperimentConfig, StickySource } from "./experiment-schema.js";

/** How a variant was chosen: by a sticky source, at random, or by the `x-urial-variant` override. */
export type AssignedBy = StickySource | "override";

export interface VariantChoice {
  index: number;
  by: AssignedBy;
}

/** What a request offers as sticky keys. */
export interface StickyInputs {
  /** The request body's `user`. */
  user?: string | null;
  /** Reads a request header (case-insensitive), undefined when absent. */
  header(name: string): string | undefined;
}

/** The first sticky source that the request provides, with its key; undefined when none does. */
export function stickyKeyOf(sources: readonly StickySource[], inputs: StickyInputs): { source: StickySource; key: string } | undefined {
  for (const source of sources) {
    if (source === "random") return undefined;
    const key = source === "user" ? inputs.user : inputs.header(source.slice("header:".length));
    if (typeof key === "string" && key.length > 0) return { source, key };
  }
  return undefined;
}

/** A uniform point in [0, 1) for `key` under `salt` (48 bits of sha256). */
export function hashToUnit(salt: string, key: string): number {
  const digest = createHash("sha256").update(salt).update("\u0000").update(key).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The variant whose share of the cumulative weights holds `point` (weight-0 variants hold none). */
export function pickByWeight(weights: readonly number[], point: number): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) throw new Error("pickByWeight: no positive weight");
  const target = point * total;
  let cumulative = 0;
  let last = 0;
  for (let index = 0; index < weights.length; index += 1) {
    const weight = weights[index]!;
    if (weight <= 0) continue;
    last = index;
    cumulative += weight;
    if (target < cumulative) return index;
  }
  // Only reached through rounding at the very top of the range.
  return last;
}

/** Assigns a variant to a request of `experiment`; `random` is used only when no sticky key is present. */
export function assignVariant(experiment: Pick<ExperimentConfig, "salt" | "sticky" | "variants">, inputs: StickyInputs, random: () => number = Math.random): VariantChoice {
  const weights = experiment.variants.map((variant) => variant.weight);
  const sticky = stickyKeyOf(experiment.sticky, inputs);
  if (sticky === undefined) return { index: pickByWeight(weights, random()), by: "random" };
  return { index: pickByWeight(weights, hashToUnit(experiment.salt, sticky.key)), by: sticky.source };
}
