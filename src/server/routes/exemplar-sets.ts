/**
 * @module server/routes/exemplar-sets
 * `GET /v1/exemplar-sets`: every exemplar set with the model id that selects
 * it (by name), its version, content hash and description, which one `urial` is,
 * and last the zero-shot baseline behind `base` —
 * what a client needs to label answers (`/v1/models` has ids only). The list
 * follows hot reloads of the exemplar files.
 */
import type { Context } from "hono";
import type { ExemplarSet } from "../../catalog/catalog.js";
import { zeroShotSet } from "../../catalog/zero-shot-set.js";
import type { AppDeps } from "../app-deps.js";
import { baseModelId, defaultModelId } from "../../answer/model-ids.js";

function setObject(set: ExemplarSet, model: string, isDefault: boolean) {
  return {
    object: "exemplar_set" as const,
    name: set.name,
    version: set.version,
    hash: set.hash,
    model,
    default: isDefault,
    description: set.description,
    template: set.template,
    system_prompt: set.systemPromptName,
    exemplars: set.exemplars.length,
  };
}

export function listExemplarSetsRoute(deps: AppDeps) {
  return function listExemplarSets(c: Context): Response {
    const { catalog } = deps;
    return c.json({
      object: "list",
      default_model: defaultModelId,
      data: [
        ...[...catalog.sets.values()].sort((a, b) => a.name.localeCompare(b.name)).map((set) => setObject(set, `${defaultModelId}/${set.name}`, set.name === catalog.defaultSet.name)),
        setObject(zeroShotSet, baseModelId, false),
      ],
    });
  };
}
