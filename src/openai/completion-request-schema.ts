/**
 * @module openai/completion-request-schema
 * `POST /v1/completions` (legacy) request body.
 */
import { z } from "zod";
import { ignoredFields, samplingFields } from "./request-fields.js";

export const completionRequestSchema = z.object({
  model: z.string({ error: "is required and must be a string" }),
  prompt: z.union([z.string(), z.array(z.string({ error: "each prompt must be a string" })).min(1, { error: "must not be empty" })], {
    error: "must be a string or an array of strings",
  }),
  ...samplingFields,
  logprobs: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(0, { error: "must be at least 0" }).max(5, { error: "must be at most 5" }).nullish(),
  echo: z.boolean({ error: "must be a boolean" }).nullish(),
  ...ignoredFields,
  suffix: z.unknown().optional(),
  best_of: z.unknown().optional(),
  logit_bias: z.unknown().optional(),
});
export type CompletionRequest = z.output<typeof completionRequestSchema>;
