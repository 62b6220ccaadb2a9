/**
 * @module votes/vote-schema
 * `POST /v1/votes` body and the stored vote: which of two answers to one
 * query a person preferred (`a`, `b` or a `tie`), each answer named by its
 * model id and, where known, the request id and exemplar set that made it.
 */
import { z } from "zod";

const text = (max: number) => z.string({ error: "must be a string" }).max(max, { error: `must be at most ${max} characters` });

const voteSideSchema = z.object(
  {
    model: text(200).min(1, { error: "must not be empty" }),
    /** The `x-request-id` of the response that made this answer. */
    request_id: text(128).nullish(),
    /** `name@version` of the exemplar set (the `x-urial-exemplar-set` header). */
    exemplar_set: text(200).nullish(),
  },
  { error: "must be an object with a model" },
);

export const voteRequestSchema = z.object({
  query: text(100_000),
  a: voteSideSchema,
  b: voteSideSchema,
  winner: z.enum(["a", "b", "tie"], { error: "must be one of a, b, tie" }),
  /** Groups the votes of one comparison (several column pairs). */
  comparison_id: text(128).nullish(),
});
export type VoteRequest = z.output<typeof voteRequestSchema>;

/** One line of the votes log, and what `GET /v1/votes` lists. */
export interface VoteEntry {
  object: "vote";
  id: string;
  /** Unix seconds. */
  created: number;
  query: string;
  a: { model: string; request_id: string | null; exemplar_set: string | null };
  b: { model: string; request_id: string | null; exemplar_set: string | null };
  winner: "a" | "b" | "tie";
  comparison_id: string | null;
}

/** The entry stored for a request. */
export function voteEntry(request: VoteRequest, id: string, now: Date): VoteEntry {
  const side = (value: VoteRequest["a"]) => ({ model: value.model, request_id: value.request_id ?? null, exemplar_set: value.exemplar_set ?? null });
  return {
    object: "vote",
    id,
    created: Math.floor(now.getTime() / 1000),
    query: request.query,
    a: side(request.a),
    b: side(request.b),
    winner: request.winner,
    comparison_id: request.comparison_id ?? null,
  };
}
