/**
 * @module openai/request-fields
 * Field schemas shared by the chat and completion requests. Every field the
 * official SDK may send as `null` accepts `null` (treated as absent).
 */
import { z } from "zod";

const range = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const integerRange = (min: number, max: number) =>
  z
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** Longest stop string: each one is matched against the text after every token. */
const maxStopLength = 1000;

/** Sampling fields (OpenAI's plus the llama.cpp extras users expect). */
export const samplingFields = {
  temperature: range(0, 2).nullish(),
  top_p: range(0, 1).nullish(),
  top_k: integerRange(0, 1_000_000).nullish(),
  min_p: range(0, 1).nullish(),
  presence_penalty: range(-2, 2).nullish(),
  frequency_penalty: range(-2, 2).nullish(),
  repetition_penalty: z.number({ error: "must be a number" }).gt(0, { error: "must be greater than 0" }).max(2, { error: "must be at most 2" }).nullish(),
  seed: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullish(),
  max_tokens: integerRange(1, 1_000_000).nullish(),
  n: integerRange(1, 8).nullish(),
  stop: z
    .union(
      [
        z.string().max(maxStopLength, { error: `must be at most ${maxStopLength} characters` }),
        z.array(z.string({ error: "each stop must be a string" }).max(maxStopLength, { error: `each stop must be at most ${maxStopLength} characters` })).max(4, { error: "at most 4 stop sequences" }),
      ],
      { error: "must be a string or an array of at most 4 strings" },
    )
    .nullish(),
  stream: z.boolean({ error: "must be a boolean" }).nullish(),
  stream_options: z.object({ include_usage: z.boolean({ error: "must be a boolean" }).nullish() }, { error: "must be an object" }).nullish(),
  user: z.string({ error: "must be a string" }).nullish(),
};

/** Fields we accept and ignore because they change nothing for a local model. */
export const ignoredFields = {
  store: z.unknown().optional(),
  metadata: z.unknown().optional(),
  service_tier: z.unknown().optional(),
  prompt_cache_key: z.unknown().optional(),
  safety_identifier: z.unknown().optional(),
  parallel_tool_calls: z.unknown().optional(),
  reasoning_effort: z.unknown().optional(),
  verbosity: z.unknown().optional(),
};

/** Stop strings as a list. */
export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop === null || stop === undefined) return [];
  return typeof stop === "string" ? [stop] : stop;
}
