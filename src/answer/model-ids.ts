/**
 * @module answer/model-ids
 * The model ids the API offers: `urial` (the default set), `urial/<set>` for
 * every exemplar set, and `base`: raw completion without URIAL, and for chat
 * the base model zero-shot in the URIAL layout. With `--chat-model`, `chat`
 * is the chat model with its own template (routed in `server/routes/chat-model-completions`).
 */
import type { Catalog, ExemplarSet } from "../catalog/catalog.js";
import { zeroShotSet } from "../catalog/zero-shot-set.js";
import { DomainError } from "../errors/domain-error.js";

export const baseModelId = "base";
export const defaultModelId = "urial";
export const chatModelId = "chat";

export function listModelIds(catalog: Catalog): string[] {
  return [defaultModelId, ...[...catalog.sets.keys()].map((name) => `${defaultModelId}/${name}`), baseModelId];
}

/** The set a chat model id selects (`base`: the zero-shot set); `unknown` for an unknown id. */
export function resolveChatModel(catalog: Catalog, model: string): ExemplarSet {
  if (model === defaultModelId) return catalog.defaultSet;
  if (model.startsWith(`${defaultModelId}/`)) {
    const set = catalog.sets.get(model.slice(defaultModelId.length + 1));
    if (set) return set;
  }
  if (model === baseModelId) return zeroShotSet;
  if (model === chatModelId) {
    throw new DomainError({
      kind: "unknown",
      message: "The model 'chat' is the chat model, which this server does not have: start it with --chat-model PATH (or URIAL_CHAT_MODEL).",
      param: "model",
      code: "model_not_found",
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
