/**
 * @module catalog/catalog-schema
 * The file formats of exemplar sets (`exemplars/<name>.json`) and system
 * prompts (`system-prompts/<name>.json`). Long texts may be written as an
 * array of lines, which are joined with "\n" — JSON has no multi-line strings
 * and reviewers read diffs line by line.
 */
import { z } from "zod";

/** A text given as one string or as an array of lines. */
export const multilineText = z.union([z.string(), z.array(z.string())], { error: "must be a string or an array of lines" }).transform((value) => (Array.isArray(value) ? value.join("\n") : value));

const catalogName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit" });

export const systemPromptFileSchema = z.strictObject({
  /** Equals the file name without `.json`. */
  name: catalogName,
  version: z.string().min(1),
  description: z.string().min(1),
  text: multilineText.refine((text) => text.trim().length > 0, { error: "must not be empty" }),
});
export type SystemPromptFile = z.output<typeof systemPromptFileSchema>;

const nonEmptyText = multilineText.refine((text) => text.trim().length > 0, { error: "must not be empty" });

/** One further turn of a multi-turn exemplar. */
export const followUpSchema = z.strictObject({
  query: nonEmptyText,
  answer: nonEmptyText,
  /** Hidden reasoning written before the answer (principles template only). */
  thoughts: nonEmptyText.optional(),
});

export const exemplarSchema = z.strictObject({
  /** Unique within the set. */
  id: z.string().min(1),
  query: nonEmptyText,
  answer: nonEmptyText,
  /** Hidden reasoning written before the answer; required by the principles template, not allowed otherwise. */
  thoughts: nonEmptyText.optional(),
  /** Further turns of the same conversation, rendered as more Query/Answer blocks. */
  followUps: z.array(followUpSchema).optional(),
  /**
   * `structured` (the default): the answer follows URIAL's restyled form and
   * `urial exemplars lint` checks it (acknowledgement, numbered points,
   * closing summary). `free`: a refusal, a poem, a short reply — not checked.
   */
  style: z.enum(["structured", "free"], { error: "must be structured or free" }).optional(),
});
export type Exemplar = z.output<typeof exemplarSchema>;

/** How a set's blocks are laid out: URIAL's Query/Answer, or principle-driven with internal thoughts first. */
export const templateSchema = z.enum(["urial", "principles"], { error: "must be urial or principles" });
export type TemplateName = z.output<typeof templateSchema>;

export const exemplarSetFileSchema = z
  .strictObject({
    /** Equals the file name without `.json`; the API model id is `urial/<name>`. */
    name: catalogName,
    version: z.string().min(1),
    description: z.string().min(1),
    /** Defaults to `urial`. */
    template: templateSchema.optional(),
    /** Name of a file in `system-prompts/` (without `.json`). */
    systemPrompt: catalogName,
    exemplars: z.array(exemplarSchema),
  })
  .superRefine((set, context) => {
    const seen = new Set<string>();
    const principles = set.template === "principles";
    set.exemplars.forEach((exemplar, index) => {
      if (seen.has(exemplar.id)) {
        context.addIssue({ code: "custom", path: ["exemplars", index, "id"], message: `duplicate exemplar id '${exemplar.id}'` });
      }
      seen.add(exemplar.id);
      const turns: { thoughts?: string; path: (string | number)[] }[] = [
        { thoughts: exemplar.thoughts, path: ["exemplars", index, "thoughts"] },
        ...(exemplar.followUps ?? []).map((turn, turnIndex) => ({ thoughts: turn.thoughts, path: ["exemplars", index, "followUps", turnIndex, "thoughts"] })),
      ];
      for (const turn of turns) {
        if (principles && turn.thoughts === undefined) {
          context.addIssue({ code: "custom", path: turn.path, message: "is required by the principles template" });
        }
        if (!principles && turn.thoughts !== undefined) {
          context.addIssue({ code: "custom", path: turn.path, message: 'is only used by the principles template (set "template": "principles")' });
        }
      }
    });
  });
export type ExemplarSetFile = z.output<typeof exemplarSetFileSchema>;
