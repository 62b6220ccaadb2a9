/**
 * @module server/routes/feedback
 * `POST /v1/feedback {request_id, rating?: 1 | -1, preferred?: boolean}`:
 * a user's vote on a request an experiment served. Logged and counted in
 * the variant's feedback rates; a second vote on a request replaces the first.
 */
import type { Context } from "hono";
import { feedbackRequestSchema } from "../../ab/online/feedback-schema.js";
import { parseRequest } from "../../openai/parse-request.js";
import type { AppDeps } from "../app-deps.js";
import { readJsonBody } from "../read-json-body.js";
import { requireExperiments } from "./experiments.js";

export function feedbackRoute(deps: AppDeps) {
  return async function feedback(c: Context): Promise<Response> {
    const experiments = requireExperiments(deps);
    const request = parseRequest(feedbackRequestSchema, await readJsonBody(c));
    const entry = experiments.feedback(request);
    return c.json({ object: "feedback", request_id: entry.request_id, experiment: entry.experiment, variant: entry.variant, rating: entry.rating, preferred: entry.preferred });
  };
}
