/**
 * @module ab/online/variant-set
 * The exemplar set a variant renders: its set from the live catalog, with
 * its own system prompt swapped in when it names one (a new content hash, so
 * its prefix is its own cache entry), and the variant's hash, which keys
 * everything cached or logged for it.
 */
import { createHash } from "node:crypto";
import { hashExemplarSet, type Catalog, type ExemplarSet } from "../../catalog/catalog.js";
import type { SamplingOverrides, VariantConfig } from "./experiment-schema.js";

/** Derived sets per base set object: a catalog reload makes new objects, so stale entries fall away. */
const derived = new WeakMap<ExemplarSet, Map<string, ExemplarSet>>();

/** The set `variant` renders, or undefined when the catalog no longer has its set or system prompt. */
export function resolveVariantSet(catalog: Catalog, variant: Pick<VariantConfig, "exemplars" | "systemPrompt">): ExemplarSet | undefined {
  const base = catalog.sets.get(variant.exemplars);
  if (base === undefined) return undefined;
  if (variant.systemPrompt === undefined || variant.systemPrompt === base.systemPromptName) return base;
  const text = catalog.systemPrompts?.get(variant.systemPrompt);
  if (text === undefined) return undefined;
  let cache = derived.get(base);
  if (cache === undefined) {
    cache = new Map();
    derived.set(base, cache);
  }
  const key = `${variant.systemPrompt}\u0000${text}`;
  let set = cache.get(key);
  if (set === undefined) {
    const fields = { ...base, systemPromptName: variant.systemPrompt, systemPrompt: text };
    set = { ...fields, hash: hashExemplarSet(fields) };
    cache.set(key, set);
  }
  return set;
}

/** The variant's identity: its rendered set's content hash and its sampling overrides (16 hex characters). */
export function hashVariant(set: Pick<ExemplarSet, "hash">, sampling: SamplingOverrides | undefined): string {
  const overrides = Object.entries(sampling ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([set.hash, overrides]))
    .digest("hex")
    .slice(0, 16);
}
