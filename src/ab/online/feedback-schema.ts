/**
 * @module ab/online/feedback-schema
 * `POST /v1/feedback` body: a vote on a request an experiment served, by the
 * `x-request-id` (or `request_id`) its response carried.
 */
import { z } from "zod";

export const feedbackRequestSchema = z
  .object({
    request_id: z.string({ error: "is required and must be a string" }).min(1, { error: "must not be empty" }).max(128, { error: "must be at most 128 characters" }),
    /** 1 thumbs up, -1 thumbs down. */
    rating: z.union([z.literal(1), z.literal(-1)], { error: "must be 1 (good) or -1 (bad)" }).nullish(),
    /** The user preferred this answer over another one it was shown with. */
    preferred: z.boolean({ error: "must be a boolean" }).nullish(),
  })
  .refine((body) => (body.rating ?? null) !== null || (body.preferred ?? null) !== null, { error: "needs 'rating' or 'preferred'", path: ["rating"] });
export type FeedbackRequest = z.output<typeof feedbackRequestSchema>;
