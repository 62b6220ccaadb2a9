/**
 * @module answer/select-chat-set
 * The exemplar set a chat request renders: the one its model id names, or,
 * when the id is an A/B experiment's, its assigned variant's (whose sampling
 * overrides are written into the request). An experiment request gets
 * `x-urial-experiment` and `x-urial-variant` response headers and is tied to
 * its record, so its outcome is logged when the response is done.
 */
import type { Context } from "hono";
import type { ExperimentAssignment } from "../ab/online/experiment-registry.js";
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ChatRequest } from "../openai/chat-request-schema.js";
import type { AppDeps } from "../server/app-deps.js";
import { resolveChatModel } from "./model-ids.js";

export function selectChatSet(deps: AppDeps, c: Context, request: ChatRequest): { set: ExemplarSet; assignment: ExperimentAssignment | undefined } {
  const experiments = deps.experiments;
  const experiment = experiments?.find(request.model);
  if (experiments === undefined || experiment === undefined) return { set: resolveChatModel(deps.catalog, request.model), assignment: undefined };
  const assignment = experiments.assign(experiment, deps.catalog, { user: request.user, header: (name) => c.req.header(name) }, request.messages);
  // The variant's sampling wins over the request's: the arms differ only by what the experiment says.
  for (const [field, value] of Object.entries(assignment.variant.sampling ?? {})) {
    if (value !== undefined) (request as Record<string, unknown>)[field] = value;
  }
  c.header("x-urial-experiment", experiment.id);
  c.header("x-urial-variant", assignment.variant.name);
  const record = c.get("record");
  if (record !== undefined) experiments.attach(record, assignment);
  return { set: assignment.set, assignment };
}
