/**
 * @module exemplar-search/search-report-schema
 * The format of the search report (`search.json`), version 1: what was run,
 * the pool and the held-out queries, the search path (objective per step,
 * what each step added or swapped, what every tried candidate scored), and
 * the zero-shot / system-prompt-only / random / chosen / chat splits side by
 * side with the closure. Splits use the shift analyser's definitions
 * (`shift/shift-schema`): η = 1 unshifted, 2–3 marginal, > 3 shifted; KL is
 * KL(chat ‖ base) in nats.
 */
import { z } from "zod";
import { bucketSplitSchema, closureSchema, splitSchema } from "../shift/shift-schema.js";

export const searchFormatVersion = 1;

export const objectiveNames = ["shifted", "kl"] as const;
export type ObjectiveName = (typeof objectiveNames)[number];

const modelSchema = z.object({ name: z.string(), path: z.string(), vocabularySize: z.number().int().min(1), contextSize: z.number().int().min(1) });

export const contextResultSchema = z.object({
  label: z.string(),
  /** The exemplar ids of the set (none for zero-shot, the system prompt alone and the chat model). */
  ids: z.array(z.string()),
  /** Tokens of the set's prefix; null for zero-shot and the chat model. */
  prefixTokens: z.number().int().min(0).nullable(),
  overall: splitSchema,
  byBucket: z.array(bucketSplitSchema),
  perQuery: z.array(z.object({ id: z.string(), shiftedShare: z.number().min(0).max(1).nullable(), meanKl: z.number().min(0).nullable() })),
});
export type ContextResult = z.output<typeof contextResultSchema>;

export const searchStepSchema = z.object({
  phase: z.enum(["start", "greedy", "swap"]),
  /** Greedy step or swap pass (1-based); 0 for the start (the system prompt alone). */
  step: z.number().int().min(0),
  /** Swaps: the position replaced (0-based). */
  position: z.number().int().min(0).nullable(),
  added: z.string().nullable(),
  removed: z.string().nullable(),
  set: z.array(z.string()),
  /** The objective of `set` on the search queries (lower is better). */
  objective: z.number(),
  candidates: z.array(z.object({ id: z.string(), objective: z.number().nullable() })),
});
export type SearchStep = z.output<typeof searchStepSchema>;

export const searchReportSchema = z.object({
  format: z.literal("urial-exemplar-search"),
  version: z.literal(searchFormatVersion),
  createdAt: z.string(),
  models: z.object({ base: modelSchema, chat: modelSchema }),
  settings: z.object({
    k: z.number().int().min(1),
    objective: z.enum(objectiveNames),
    seed: z.number().int(),
    maxPrefixTokens: z.number().int().min(1),
    /** `flag`: given with --max-prefix-tokens; `default`: the context less the longest held-out query and answer. */
    maxPrefixTokensFrom: z.enum(["flag", "default"]),
    informative: z.number().int().min(1).nullable(),
    maxEvaluations: z.number().int().min(1).nullable(),
    swapPasses: z.number().int().min(0),
    randomSets: z.number().int().min(0),
    maxTokens: z.number().int().min(1),
    temperature: z.number().min(0),
    systemPrompt: z.string(),
    pool: z.string().nullable(),
    poolFromChat: z.string().nullable(),
    queries: z.string(),
  }),
  pool: z.array(
    z.object({
      id: z.string(),
      source: z.enum(["pool", "chat"]),
      where: z.string(),
      query: z.string(),
      answer: z.string(),
      /** URIAL style problems of the answer (empty: structured URIAL style). */
      styleProblems: z.array(z.string()),
      /** Prefix tokens of the set holding only this exemplar. */
      prefixTokens: z.number().int().min(0),
    }),
  ),
  queries: z.array(
    z.object({
      id: z.string(),
      query: z.string(),
      answer: z.string(),
      source: z.enum(["generated", "given"]),
      /** Answer tokens scored (after any cut to the budget). */
      scoredTokens: z.number().int().min(0),
      fullTokens: z.number().int().min(0),
      truncated: z.boolean(),
      /** Whether the search's objective used this query (all, unless --informative kept fewer). */
      usedInSearch: z.boolean(),
      /** Spread of this query's objective across the probed sets (with --informative). */
      informativeness: z.number().nullable(),
    }),
  ),
  steps: z.array(searchStepSchema),
  chosen: z.object({ ids: z.array(z.string()), objective: z.number(), prefixTokens: z.number().int().min(0) }),
  /** All on every held-out query. */
  comparison: z.object({
    zeroShot: contextResultSchema,
    systemOnly: contextResultSchema,
    random: z.array(contextResultSchema),
    chosen: contextResultSchema,
    chat: contextResultSchema,
  }),
  /** Zero-shot → chosen set. */
  closure: closureSchema,
  /** Zero-shot → each random set. */
  randomClosure: z.array(closureSchema),
  search: z.object({
    /** The zero-shot context's objective on the search queries: the level the steps start from below or above. */
    zeroShotObjective: z.number(),
    evaluations: z.number().int().min(0),
    budgetLimited: z.boolean(),
    /** Why the chosen set has fewer than K exemplars: `pool` too small, or nothing more fit the prefix `budget`. */
    shortBecause: z.enum(["pool", "budget"]).nullable(),
    scoredAnswers: z.number().int().min(0),
    cacheHits: z.number().int().min(0),
    resumedEntries: z.number().int().min(0),
    evaluatedTokens: z.number().int().min(0),
    reusedTokens: z.number().int().min(0),
    seconds: z.number().min(0),
  }),
});
export type SearchReport = z.output<typeof searchReportSchema>;
