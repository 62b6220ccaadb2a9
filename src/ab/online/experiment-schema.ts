/**
 * @module ab/online/experiment-schema
 * The `--experiments FILE` format: online A/B experiments, each offered to
 * clients under its own model id and splitting that traffic between variants
 * (an exemplar set, optionally another system prompt, and sampling
 * overrides) by weight, sticky per user.
 */
import { z } from "zod";
import { samplingFields } from "../../openai/request-fields.js";

const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit" });
const catalogName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "must name a file of the catalog (lowercase letters, digits, '.', '_' or '-')" });

/**
 * Where the sticky key comes from: the request's `user` field, a request
 * header (`header:<name>`), or `random` (a fresh draw per request).
 */
export const stickySourceSchema = z.union([z.literal("user"), z.literal("random"), z.string().regex(/^header:[A-Za-z0-9-]{1,64}$/, { error: "must be user, random or header:<name>" })], {
  error: "must be user, random or header:<name>",
});
export type StickySource = z.output<typeof stickySourceSchema>;

/** Sampling fields a variant sets; they win over the request's own (null: the server default). */
export const samplingOverridesSchema = z.strictObject({
  temperature: samplingFields.temperature,
  top_p: samplingFields.top_p,
  top_k: samplingFields.top_k,
  min_p: samplingFields.min_p,
  presence_penalty: samplingFields.presence_penalty,
  frequency_penalty: samplingFields.frequency_penalty,
  repetition_penalty: samplingFields.repetition_penalty,
  max_tokens: samplingFields.max_tokens,
});
export type SamplingOverrides = z.output<typeof samplingOverridesSchema>;

export const variantSchema = z.strictObject({
  /** Unique in the experiment; what `x-urial-variant` names and the results show. */
  name: slug,
  /** The exemplar set (`exemplars/<name>.json`). */
  exemplars: catalogName,
  /** A system prompt (`system-prompts/<name>.json`) replacing the set's own. Defaults to the set's. */
  systemPrompt: catalogName.optional(),
  /** Defaults to none. */
  sampling: samplingOverridesSchema.optional(),
  /** Relative share of the traffic. 0 takes no assigned traffic (still reachable with `x-urial-variant`). Defaults to 1. */
  weight: z.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(1_000_000, { error: "must be at most 1000000" }).default(1),
});
export type VariantConfig = z.output<typeof variantSchema>;

export const experimentSchema = z
  .strictObject({
    id: slug,
    description: z.string().optional(),
    /** The model id clients send to join the experiment. Defaults to `urial/ab/<id>`; may be `urial` to split all default traffic. */
    model: z
      .string()
      .min(1)
      .max(128)
      .refine((model) => model !== "base", { error: "cannot be 'base' (raw completions have no exemplar set to vary)" })
      .optional(),
    /** Sources of the sticky key, first present wins; none present: random. Defaults to `["user"]`. */
    sticky: z.union([stickySourceSchema, z.array(stickySourceSchema).min(1, { error: "must list at least one source" })]).default("user"),
    /** Mixed into the hash, so experiments split users independently. Defaults to the id. */
    salt: z.string().min(1).optional(),
    variants: z.array(variantSchema).min(2, { error: "must list at least two variants" }).max(64, { error: "must list at most 64 variants" }),
  })
  .superRefine((experiment, context) => {
    const seen = new Set<string>();
    experiment.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) context.addIssue({ code: "custom", path: ["variants", index, "name"], message: `duplicate variant name '${variant.name}'` });
      seen.add(variant.name);
    });
    if (!experiment.variants.some((variant) => variant.weight > 0)) context.addIssue({ code: "custom", path: ["variants"], message: "at least one variant needs a weight above 0" });
  });
export type ExperimentConfigInput = z.input<typeof experimentSchema>;

export const experimentsFileSchema = z
  .strictObject({
    experiments: z.array(experimentSchema).min(1, { error: "must list at least one experiment" }),
  })
  .superRefine((file, context) => {
    const ids = new Set<string>();
    const models = new Set<string>();
    file.experiments.forEach((experiment, index) => {
      if (ids.has(experiment.id)) context.addIssue({ code: "custom", path: ["experiments", index, "id"], message: `duplicate experiment id '${experiment.id}'` });
      ids.add(experiment.id);
      const model = experimentModelId(experiment);
      if (models.has(model)) context.addIssue({ code: "custom", path: ["experiments", index, "model"], message: `model id '${model}' is already used by another experiment` });
      models.add(model);
    });
  });

/** An experiment as validated, defaults filled in. */
export interface ExperimentConfig {
  id: string;
  description?: string;
  model: string;
  sticky: StickySource[];
  salt: string;
  variants: VariantConfig[];
}

/** The model id of an experiment: its `model`, else `urial/ab/<id>`. */
export function experimentModelId(experiment: { id: string; model?: string | undefined }): string {
  return experiment.model ?? `urial/ab/${experiment.id}`;
}

/** Parses the file's JSON; throws the zod error for the caller to phrase. */
export function toExperimentConfigs(json: unknown): ExperimentConfig[] {
  const file = experimentsFileSchema.parse(json);
  return file.experiments.map((experiment) => ({
    id: experiment.id,
    ...(experiment.description !== undefined ? { description: experiment.description } : {}),
    model: experimentModelId(experiment),
    sticky: Array.isArray(experiment.sticky) ? experiment.sticky : [experiment.sticky],
    salt: experiment.salt ?? experiment.id,
    variants: experiment.variants,
  }));
}
