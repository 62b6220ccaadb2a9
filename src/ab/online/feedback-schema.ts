/**
 * @module ab/online/feedback-schema
 * `POST /v1/feedback` body: a vote on a chat completion an experiment served,
 * named by the completion's own `id` (`chatcmpl-…`). That id is chosen by the
 * server and known only to whoever got the answer; the `x-request-id` is
 * chosen by the client, so a vote keyed by it could land on someone else's
 * request — it is refused with a message that says what to send instead.
 */
import { z } from "zod";

export const feedbackRequestSchema = z
  .object({
    response_id: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(128, { error: "must be at most 128 characters" }).optional(),
    request_id: z.unknown().optional(),
    /** 1 thumbs up, -1 thumbs down. */
    rating: z.union([z.literal(1), z.literal(-1)], { error: "must be 1 (good) or -1 (bad)" }).nullish(),
    /** The user preferred this answer over another one it was shown with. */
    preferred: z.boolean({ error: "must be a boolean" }).nullish(),
  })
  .refine((body) => body.response_id !== undefined, {
    error: (issue) =>
      (issue.input as { request_id?: unknown } | undefined)?.request_id !== undefined
        ? "is required: votes are keyed by the completion's own id (the `id` field of the chat completion, chatcmpl-…), not by x-request-id, which the client chooses"
        : "is required: the `id` of the chat completion you vote on (chatcmpl-…)",
    path: ["response_id"],
  })
  .refine((body) => (body.rating ?? null) !== null || (body.preferred ?? null) !== null, { error: "needs 'rating' or 'preferred'", path: ["rating"] })
  .transform((body): FeedbackRequest => ({ response_id: body.response_id!, rating: body.rating, preferred: body.preferred }));

/** A validated vote. */
export interface FeedbackRequest {
  response_id: string;
  rating?: 1 | -1 | null;
  preferred?: boolean | null;
}
