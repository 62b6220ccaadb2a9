/**
 * @module catalog/catalog
 * The loaded exemplar sets, each joined with its system prompt and keyed by a
 * content hash that every cache depending on the set must include.
 */
import { createHash } from "node:crypto";
import type { Exchange } from "../prompt/render-urial-prompt.js";

/** An exemplar set ready to render. */
export interface ExemplarSet {
  name: string;
  version: string;
  description: string;
  systemPromptName: string;
  systemPrompt: string;
  exemplars: readonly (Exchange & { id: string })[];
  /** sha256 (hex, 16 chars) of everything that changes the rendered prefix. */
  hash: string;
  /** Where it was read from. */
  file: string;
}

export interface Catalog {
  sets: ReadonlyMap<string, ExemplarSet>;
  defaultSet: ExemplarSet;
}

/** The content hash of a set: name, version, system prompt text and exemplars, canonically serialised. */
export function hashExemplarSet(set: Omit<ExemplarSet, "hash" | "file">): string {
  const canonical = JSON.stringify([
    set.name,
    set.version,
    set.systemPrompt,
    set.exemplars.map((exemplar) => [exemplar.id, exemplar.query, exemplar.answer]),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
