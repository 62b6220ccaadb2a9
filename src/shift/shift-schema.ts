/**
 * @module shift/shift-schema
 * The format of `shift.json` (and of the `POST /v1/shift` response), version 1.
 * Every aggregate in `summary` and in each prompt's `summary` is computed from
 * the per-position records in `prompts[].positions` (see `summarizeShift`),
 * so a reader can always recompute and check them.
 *
 * Conventions: positions are 1-based within an answer; ranks are 1-based over
 * the whole vocabulary (1 + the number of tokens the model found strictly more
 * likely); probabilities are raw (temperature 1, no truncation); KL is
 * KL(chat ‖ base) in nats; shares are fractions in [0, 1], null when there is
 * nothing to divide by.
 */
import { z } from "zod";

/** The version written to `shift.json`; bump it on any incompatible change. */
export const shiftFormatVersion = 1;

/** η = 1 → unshifted, 2 ≤ η ≤ 3 → marginal, η > 3 → shifted (Lin et al. 2023). */
export const shiftCategorySchema = z.enum(["unshifted", "marginal", "shifted"]);
export type ShiftCategory = z.output<typeof shiftCategorySchema>;

/** The two base-model contexts an answer is scored under. */
export const baseContextNames = ["zeroShot", "urial"] as const;
export type BaseContextName = (typeof baseContextNames)[number];

const count = z.number().int().min(0);
const share = z.number().min(0).max(1).nullable();

/** One alternative in a top-k table. */
export const topTokenSchema = z.object({ id: count, text: z.string(), probability: z.number().min(0).max(1) });
export type TopToken = z.output<typeof topTokenSchema>;

/** The chat model's view of one answer position (the token is its own choice). */
export const chatScoreSchema = z.object({
  rank: z.number().int().min(1),
  probability: z.number().min(0).max(1),
  top: z.array(topTokenSchema),
});
export type ChatScore = z.output<typeof chatScoreSchema>;

/** The base model's view of one answer position under one context. */
export const baseScoreSchema = chatScoreSchema.extend({
  category: shiftCategorySchema,
  /** KL(chat ‖ base) over the full vocabulary at this position, in nats. */
  kl: z.number().min(0),
});
export type BaseScore = z.output<typeof baseScoreSchema>;

export const shiftPositionSchema = z.object({
  /** 1-based position in the answer. */
  position: z.number().int().min(1),
  tokenId: count,
  /** The token's text as it reads in the answer (special tokens written out, e.g. `</s>`). */
  text: z.string(),
  /** True for an end-of-generation token (EOS, EOT, …). */
  special: z.boolean(),
  chat: chatScoreSchema,
  zeroShot: baseScoreSchema,
  urial: baseScoreSchema,
});
export type ShiftPosition = z.output<typeof shiftPositionSchema>;

/** A three-way split over some set of positions. */
export const splitSchema = z.object({
  positions: count,
  unshifted: count,
  marginal: count,
  shifted: count,
  unshiftedShare: share,
  marginalShare: share,
  shiftedShare: share,
  /** Mean KL(chat ‖ base) over these positions; null when there are none. */
  meanKl: z.number().min(0).nullable(),
});
export type Split = z.output<typeof splitSchema>;

/** A split over the positions of one bucket (`to` null: no upper bound). */
export const bucketSplitSchema = splitSchema.extend({ bucket: z.string(), from: z.number().int().min(1), to: z.number().int().min(1).nullable() });
export type BucketSplit = z.output<typeof bucketSplitSchema>;

export const contextSummarySchema = z.object({
  overall: splitSchema,
  /** Buckets 1–5, 6–20, 21–50, >50. */
  byBucket: z.array(bucketSplitSchema),
});
export type ContextSummary = z.output<typeof contextSummarySchema>;

/** One point of the position curve: answer position `position` over all prompts that reach it. */
export const positionPointSchema = z.object({
  position: z.number().int().min(1),
  /** Prompts whose answer has this position. */
  count: z.number().int().min(1),
  zeroShot: z.object({ meanKl: z.number().min(0), meanRank: z.number().min(1), shiftedShare: z.number().min(0).max(1) }),
  urial: z.object({ meanKl: z.number().min(0), meanRank: z.number().min(1), shiftedShare: z.number().min(0).max(1) }),
});
export type PositionPoint = z.output<typeof positionPointSchema>;

/** A token that the base model ranked > 3 at some positions. */
export const shiftedTokenSchema = z.object({
  tokenId: count,
  text: z.string(),
  /** Positions where this token was shifted. */
  shifted: z.number().int().min(1),
  /** Positions where this token occurs in the answers. */
  occurrences: z.number().int().min(1),
});
export type ShiftedToken = z.output<typeof shiftedTokenSchema>;

/**
 * How much of the zero-shot shift the URIAL context removes. `relative` =
 * (zero-shot shifted share − URIAL shifted share) / zero-shot shifted share:
 * 1 means URIAL removes every shifted position, 0 no change, negative means
 * URIAL makes the base model less like the chat model.
 */
export const closureSchema = z.object({
  zeroShotShiftedShare: share,
  urialShiftedShare: share,
  /** Difference of the two shares (zero-shot − URIAL); null without positions. */
  points: z.number().min(-1).max(1).nullable(),
  /** `points` / zero-shot shifted share; null when the zero-shot share is 0 or unknown. */
  relative: z.number().nullable(),
  /** Positions shifted zero-shot that are not shifted under URIAL. */
  resolved: count,
  /** Positions shifted under URIAL that were not shifted zero-shot. */
  introduced: count,
});
export type Closure = z.output<typeof closureSchema>;

export const shiftSummarySchema = z.object({
  prompts: count,
  positions: count,
  /** Prompts whose answer was cut to fit a context. */
  truncatedPrompts: count,
  zeroShot: contextSummarySchema,
  urial: contextSummarySchema,
  closure: closureSchema,
  byPosition: z.array(positionPointSchema),
  /** Most often shifted tokens, most first (at most 20). */
  topShifted: z.object({ zeroShot: z.array(shiftedTokenSchema), urial: z.array(shiftedTokenSchema) }),
});
export type ShiftSummary = z.output<typeof shiftSummarySchema>;

export const promptShiftSchema = z.object({
  id: z.string().min(1),
  query: z.string(),
  answer: z.object({
    /** The scored answer's text (after any truncation). */
    text: z.string(),
    /** `generated`: the chat model's own answer; `given`: supplied with the prompt. */
    source: z.enum(["generated", "given"]),
    /** Why generation ended (`eos`, `stop`, `length`); `given` for a supplied answer. */
    stopReason: z.enum(["eos", "stop", "length", "given"]),
    /** Tokens before any truncation. */
    fullTokens: count,
    /** Tokens scored (= positions.length). */
    scoredTokens: count,
    /**
     * True when the answer was cut so that every context + answer fits its
     * model's context (or, for a query too long for the chat model's context,
     * could not be generated at all).
     */
    truncated: z.boolean(),
  }),
  /** Prompt sizes and cache reuse: the chat model's own template and the two base contexts. */
  contexts: z.object({
    chat: z.object({ promptTokens: count, cachedTokens: count }),
    zeroShot: z.object({ promptTokens: count, cachedTokens: count }),
    urial: z.object({ promptTokens: count, cachedTokens: count }),
  }),
  summary: z.object({ zeroShot: splitSchema, urial: splitSchema }),
  positions: z.array(shiftPositionSchema),
});
export type PromptShift = z.output<typeof promptShiftSchema>;

const modelSchema = z.object({ name: z.string(), path: z.string(), vocabularySize: z.number().int().min(1), contextSize: z.number().int().min(1) });

export const shiftReportSchema = z.object({
  format: z.literal("urial-shift"),
  version: z.literal(shiftFormatVersion),
  createdAt: z.string(),
  models: z.object({
    base: modelSchema,
    chat: modelSchema.extend({ chatTemplate: z.enum(["gguf", "override"]) }),
  }),
  settings: z.object({
    topK: z.number().int().min(1),
    maxTokens: z.number().int().min(1),
    /** 0: greedy answers. */
    temperature: z.number().min(0),
    seed: z.number().int().nullable(),
    exemplarSet: z.object({ name: z.string(), version: z.string(), hash: z.string() }),
    /** The prompts file, or null for prompts given another way (the HTTP route). */
    promptsFile: z.string().nullable(),
  }),
  summary: shiftSummarySchema,
  prompts: z.array(promptShiftSchema),
});
export type ShiftReport = z.output<typeof shiftReportSchema>;
