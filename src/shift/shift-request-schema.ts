/**
 * @module shift/shift-request-schema
 * The body of `POST /v1/shift`: one query, optionally with the answer to
 * score (otherwise the chat model writes it). Snake case and nullable fields,
 * like the OpenAI-style routes beside it.
 */
import { z } from "zod";

export const shiftRequestSchema = z.object({
  query: z.string({ error: "must be a string" }).refine((query) => query.trim().length > 0, { error: "must not be empty" }),
  /** Score this answer instead of generating one. */
  answer: z
    .string()
    .refine((answer) => answer.trim().length > 0, { error: "must not be empty" })
    .nullish(),
  /** Exemplar set of the URIAL context; defaults to the server's default set. */
  exemplars: z.string().min(1).nullish(),
  /** Alternatives per position and model; defaults to 10. */
  top_k: z.number().int().min(1).max(100).nullish(),
  /** Longest answer to generate; defaults to 256 (and the context bounds it). */
  max_tokens: z.number().int().min(1).max(100_000).nullish(),
  /** 0 (the default) is greedy. */
  temperature: z.number().min(0).max(10).nullish(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullish(),
});
export type ShiftRequest = z.output<typeof shiftRequestSchema>;

export const shiftRequestDefaults = { topK: 10, maxTokens: 256, temperature: 0 } as const;
