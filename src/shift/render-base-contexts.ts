/**
 * @module shift/render-base-contexts
 * The two contexts the base model reads an answer in: zero-shot (the query in
 * the plain Query/Answer layout, no system prompt, no exemplars) and URIAL
 * (the exemplar set's system prompt and exemplars, then the same query).
 * Both end with the open answer block, so the teacher-forced answer is read
 * exactly where the server's base model would start writing. A set with the
 * `principles` template is laid out with its exemplars' thoughts but a plain
 * open answer block: the scored answer is an answer, not thoughts.
 */
import { exemplarExchanges, type ExemplarSet } from "../catalog/catalog.js";
import { renderUrialPrompt } from "../prompt/render-urial-prompt.js";

/** The texts of both contexts for `query`. */
export function renderBaseContexts(set: Pick<ExemplarSet, "systemPrompt" | "exemplars">, query: string): { zeroShot: string; urial: string } {
  return {
    zeroShot: renderUrialPrompt({ system: "", exemplars: [], history: [], query, template: "urial" }).text,
    urial: renderUrialPrompt({ system: set.systemPrompt, exemplars: exemplarExchanges(set), history: [], query, template: "urial" }).text,
  };
}
