/**
 * @module server/routes/votes
 * `POST /v1/votes`: store a preference between two answers to one query (the
 * playground's compare view) in the durable votes log (`--votes-log`);
 * `GET /v1/votes?limit=N`: the newest N votes (default 1000, at most 10000),
 * oldest first. Experiment feedback stays `POST /v1/feedback`.
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { ApiError, invalidRequest } from "../../openai/api-error.js";
import { parseRequest } from "../../openai/parse-request.js";
import { voteEntry, voteRequestSchema } from "../../votes/vote-schema.js";
import type { VotesLog } from "../../votes/votes-log.js";
import type { AppDeps } from "../app-deps.js";
import { readJsonBody } from "../read-json-body.js";

export function postVoteRoute(deps: AppDeps) {
  return async function postVote(c: Context): Promise<Response> {
    const log = requireVotesLog(deps);
    const request = parseRequest(voteRequestSchema, await readJsonBody(c));
    const entry = voteEntry(request, `vote_${randomBytes(12).toString("hex")}`, new Date());
    await log.append(entry);
    return c.json(entry);
  };
}

export function listVotesRoute(deps: AppDeps) {
  return async function listVotes(c: Context): Promise<Response> {
    const log = requireVotesLog(deps);
    const raw = c.req.query("limit");
    const limit = raw === undefined ? 1000 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalidRequest("'limit' must be a whole number from 1 to 10000.", "limit", "invalid_value");
    const { votes, skipped } = await log.read(limit);
    return c.json({ object: "list", data: votes, skipped_lines: skipped });
  };
}

function requireVotesLog(deps: AppDeps): VotesLog {
  if (deps.votesLog !== undefined) return deps.votesLog;
  throw new ApiError({ status: 404, type: "not_found_error", message: "Votes are not enabled on this server (it was built without a votes log).", code: "votes_not_enabled" });
}
