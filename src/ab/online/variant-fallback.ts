/**
 * @module ab/online/variant-fallback
 * What an experiment serves when a variant's exemplar set (or system prompt)
 * vanishes from the live catalog — a file deleted or renamed while the server
 * runs: the variant's last good set, kept in memory from the last time it
 * resolved, and failing that the first variant of the experiment (its
 * baseline) that still resolves. Each change of state is one log line, not
 * one per request.
 */
import type { Catalog, ExemplarSet } from "../../catalog/catalog.js";
import type { ExperimentConfig, VariantConfig } from "./experiment-schema.js";
import { resolveVariantSet } from "./variant-set.js";

export interface ResolvedVariant {
  variant: VariantConfig;
  set: ExemplarSet;
}

export class VariantFallback {
  readonly #lastGood = new Map<string, ExemplarSet>();
  /** Variants now served from a fallback, with how (for the "it is back" line). */
  readonly #degraded = new Map<string, string>();
  readonly #notice: ((message: string) => void) | undefined;

  constructor(notice?: (message: string) => void) {
    this.#notice = notice;
  }

  /** The set to serve for variant `index`, or undefined when no variant of the experiment resolves. */
  resolve(experiment: ExperimentConfig, index: number, catalog: Catalog): ResolvedVariant | undefined {
    // Remember every variant's set while the catalog has it, so a later loss has something to fall back on.
    const live = experiment.variants.map((variant) => {
      const set = resolveVariantSet(catalog, variant);
      if (set !== undefined) this.#lastGood.set(keyOf(experiment, variant), set);
      return set;
    });
    const variant = experiment.variants[index]!;
    const key = keyOf(experiment, variant);
    const set = live[index];
    if (set !== undefined) {
      if (this.#degraded.delete(key)) this.#notice?.(`experiment '${experiment.id}': variant '${variant.name}' has its exemplar set '${variant.exemplars}' again and serves it`);
      return { variant, set };
    }
    const what = `exemplar set '${variant.exemplars}'${variant.systemPrompt ? ` with system prompt '${variant.systemPrompt}'` : ""}`;
    const lastGood = this.#lastGood.get(key);
    if (lastGood !== undefined) {
      this.#note(
        key,
        "last",
        `experiment '${experiment.id}': variant '${variant.name}' uses ${what}, which the catalog no longer has; serving its last good version (${lastGood.hash}) until it is back`,
      );
      return { variant, set: lastGood };
    }
    const baseline = live.findIndex((candidate) => candidate !== undefined);
    if (baseline < 0) {
      this.#note(key, "none", `experiment '${experiment.id}': no variant's exemplar set is in the catalog; its requests get 503 until one is back`);
      return undefined;
    }
    const fallback = experiment.variants[baseline]!;
    this.#note(
      key,
      `baseline:${fallback.name}`,
      `experiment '${experiment.id}': variant '${variant.name}' uses ${what}, which the catalog does not have; its requests are served by variant '${fallback.name}' until it is back`,
    );
    return { variant: fallback, set: live[baseline]! };
  }

  #note(key: string, state: string, message: string): void {
    if (this.#degraded.get(key) === state) return;
    this.#degraded.set(key, state);
    this.#notice?.(message);
  }
}

function keyOf(experiment: ExperimentConfig, variant: VariantConfig): string {
  return `${experiment.id}\u0000${variant.name}`;
}
