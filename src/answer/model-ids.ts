/**
 * @module answer/model-ids
 * The model ids the API offers: `urial` (the default set), `urial/<set>` for
 * every exemplar set, and `base` for raw completion without URIAL.
 */
import type { Catalog, ExemplarSet } from "../catalog/catalog.js";
import { DomainError } from "../errors/domain-error.js";

export const baseModelId = "base";
export const defaultModelId = "urial";

export function listModelIds(catalog: Catalog): string[] {
  return [defaultModelId, ...[...catalog.sets.keys()].map((name) => `${defaultModelId}/${name}`), baseModelId];
}

/** The set a chat model id selects; `unknown` for an unknown id, `invalid` for `base`. */
export function resolveChatModel(catalog: Catalog, model: string): ExemplarSet {
  if (model === defaultModelId) return catalog.defaultSet;
  if (model.startsWith(`${defaultModelId}/`)) {
    const set = catalog.sets.get(model.slice(defaultModelId.length + 1));
    if (set) return set;
  }
  if (model === baseModelId) {
    throw new DomainError({
      kind: "invalid",
      message: "Model 'base' is the raw base model: use it with /v1/completions. For chat, use 'urial' or 'urial/<set>'.",
      param: "model",
      code: "model_not_supported",
    });
  }
  throw modelNotFound(catalog, model);
}

/** Raw completion accepts every id this server lists (all run the same base model without URIAL). */
export function checkCompletionModel(catalog: Catalog, model: string): void {
  if (!listModelIds(catalog).includes(model)) throw modelNotFound(catalog, model);
}

function modelNotFound(catalog: Catalog, model: string): DomainError {
  return new DomainError({
    kind: "unknown",
    // A hostile id can be megabytes long: show its start only.
    message: `The model '${model.length > 200 ? `${model.slice(0, 200)}…` : model}' does not exist. Available: ${listModelIds(catalog).join(", ")}.`,
    param: "model",
    code: "model_not_found",
  });
}
