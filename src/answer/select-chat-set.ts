/**
 * @module answer/select-chat-set
 * The exemplar set a chat request renders: the one its model id names, or,
 * when the id is an A/B experiment's, its assigned variant's. The variant's
 * sampling overrides come back as their own field — the parsed request is
 * never written to; the planner lays them over the request's.
 */
import type { ExperimentAssignment } from "../ab/online/experiment-registry.js";
import type { SamplingOverrides } from "../ab/online/experiment-schema.js";
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ChatRequest } from "../openai/chat-request-schema.js";
import type { AnswerDeps } from "./answer-deps.js";
import { resolveChatModel } from "./model-ids.js";

export interface ChatSetChoice {
  set: ExemplarSet;
  /** The request's place in an experiment; undefined outside experiments. */
  assignment: ExperimentAssignment | undefined;
  /** Sampling fields that win over the request's (the variant's), empty outside experiments. */
  sampling: SamplingOverrides;
}

/** `header` reads a request header (the variant override), when the host has headers. */
export function selectChatSet(deps: Pick<AnswerDeps, "catalog" | "experiments">, request: ChatRequest, header: (name: string) => string | undefined = () => undefined): ChatSetChoice {
  const experiments = deps.experiments;
  const experiment = experiments?.find(request.model);
  if (experiments === undefined || experiment === undefined) return { set: resolveChatModel(deps.catalog, request.model), assignment: undefined, sampling: {} };
  const assignment = experiments.assign(experiment, deps.catalog, { user: request.user, header }, request.messages);
  return { set: assignment.set, assignment, sampling: assignment.variant.sampling ?? {} };
}
