/**
 * @module openai/chat-request-schema
 * `POST /v1/chat/completions` request body, as the official SDK sends it.
 */
import { z } from "zod";
import { ignoredFields, samplingFields } from "./request-fields.js";

const contentPart = z.looseObject({
  type: z.string({ error: "must be a string" }),
  text: z.string({ error: "must be a string" }).optional(),
});

export const chatMessageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"], {
    error: "must be one of system, developer, user, assistant",
  }),
  content: z.union([z.string(), z.array(contentPart)], { error: "must be a string or an array of content parts" }).nullish(),
  name: z.string({ error: "must be a string" }).nullish(),
});
export type ChatMessage = z.output<typeof chatMessageSchema>;

const jsonSchemaFormat = z.object({
  type: z.literal("json_schema"),
  json_schema: z.object(
    {
      name: z.string({ error: "must be a string" }),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown().optional(), { error: "must be a JSON schema object" }).nullish(),
      strict: z.boolean().nullish(),
    },
    { error: "must be an object with name and schema" },
  ),
});

export const responseFormatSchema = z.discriminatedUnion("type", [z.object({ type: z.literal("text") }), z.object({ type: z.literal("json_object") }), jsonSchemaFormat], {
  error: "type must be one of text, json_object, json_schema",
});

export const chatRequestSchema = z.object({
  model: z.string({ error: "is required and must be a string" }),
  messages: z.array(chatMessageSchema, { error: "is required and must be an array" }).min(1, { error: "must contain at least one message" }),
  ...samplingFields,
  max_completion_tokens: samplingFields.max_tokens,
  logprobs: z.boolean({ error: "must be a boolean" }).nullish(),
  top_logprobs: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(0, { error: "must be at least 0" }).max(20, { error: "must be at most 20" }).nullish(),
  response_format: responseFormatSchema.nullish(),
  /** Return a principles set's internal thoughts as `reasoning_content` (they are never in `content`). */
  include_reasoning: z.boolean({ error: "must be a boolean" }).nullish(),
  ...ignoredFields,
  // Present in the SDK's types but not supported by a base-model proxy:
  tools: z.unknown().optional(),
  tool_choice: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
  logit_bias: z.unknown().optional(),
  audio: z.unknown().optional(),
  modalities: z.unknown().optional(),
  prediction: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
});
export type ChatRequest = z.output<typeof chatRequestSchema>;
