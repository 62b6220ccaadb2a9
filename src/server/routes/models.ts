/**
 * @module server/routes/models
 * `GET /v1/models` and `GET /v1/models/:id`.
 */
import type { Context } from "hono";
import { ApiError } from "../../openai/api-error.js";
import type { AppDeps } from "../app-deps.js";
import { chatModelId, listModelIds } from "../../answer/model-ids.js";

const created = Math.floor(Date.now() / 1000);

function modelObject(id: string) {
  return { id, object: "model" as const, created, owned_by: "urial-proxy" };
}

export function listModelsRoute(deps: AppDeps) {
  return function listModels(c: Context): Response {
    return c.json({ object: "list", data: chatModelIds(deps).map(modelObject) });
  };
}

export function getModelRoute(deps: AppDeps) {
  return function getModel(c: Context): Response {
    const id = decodeURIComponent(c.req.path.slice("/v1/models/".length));
    if (!chatModelIds(deps).includes(id)) {
      throw new ApiError({ status: 404, type: "invalid_request_error", message: `The model '${id}' does not exist.`, param: "model", code: "model_not_found" });
    }
    return c.json(modelObject(id));
  };
}

/** The catalog's model ids, `chat` with a chat model, and those of the A/B experiments. */
function chatModelIds(deps: AppDeps): string[] {
  const ids = listModelIds(deps.catalog);
  if (deps.shift !== undefined) ids.push(chatModelId);
  for (const id of deps.experiments?.modelIds() ?? []) if (!ids.includes(id)) ids.push(id);
  return ids;
}
