/**
 * @module catalog/catalog
 * The loaded exemplar sets, each joined with its system prompt and keyed by a
 * content hash that every cache depending on the set must include.
 */
import { createHash } from "node:crypto";
import type { Exchange } from "../prompt/render-urial-prompt.js";
import type { Exemplar, TemplateName } from "./catalog-schema.js";

/** An exemplar set ready to render. */
export interface ExemplarSet {
  name: string;
  version: string;
  description: string;
  /** Block layout: URIAL Query/Answer, or principle-driven with internal thoughts. */
  template: TemplateName;
  systemPromptName: string;
  systemPrompt: string;
  exemplars: readonly Exemplar[];
  /** sha256 (hex, 16 chars) of everything that changes the rendered prefix. */
  hash: string;
  /** Where it was read from. */
  file: string;
}

export interface Catalog {
  sets: ReadonlyMap<string, ExemplarSet>;
  defaultSet: ExemplarSet;
  /** System prompt texts by name (what an A/B variant may swap in); absent in hand-built catalogs. */
  systemPrompts?: ReadonlyMap<string, string>;
}

/** The exemplars as the exchanges the renderer lays out, multi-turn exemplars expanded in order. */
export function exemplarExchanges(set: Pick<ExemplarSet, "exemplars">): Exchange[] {
  return set.exemplars.flatMap((exemplar) => [
    { query: exemplar.query, answer: exemplar.answer, thoughts: exemplar.thoughts },
    ...(exemplar.followUps ?? []).map((turn) => ({ query: turn.query, answer: turn.answer, thoughts: turn.thoughts })),
  ]);
}

/** The content hash of a set: everything that changes its rendered prefix, canonically serialised. */
export function hashExemplarSet(set: Omit<ExemplarSet, "hash" | "file">): string {
  const canonical = JSON.stringify([set.name, set.version, set.template, set.systemPrompt, exemplarExchanges(set).map((exchange) => [exchange.query, exchange.answer, exchange.thoughts ?? null])]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
