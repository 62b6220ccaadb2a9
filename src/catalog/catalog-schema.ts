/**
 * @module catalog/catalog-schema
 * The file formats of exemplar sets (`exemplars/<name>.json`) and system
 * prompts (`system-prompts/<name>.json`). Long texts may be written as an
 * array of lines, which are joined with "\n" — JSON has no multi-line strings
 * and reviewers read diffs line by line.
 */
import { z } from "zod";

/** A text given as one string or as an array of lines. */
export const multilineText = z
  .union([z.string(), z.array(z.string())], { error: "must be a string or an array of lines" })
  .transform((value) => (Array.isArray(value) ? value.join("\n") : value));

const catalogName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit" });

export const systemPromptFileSchema = z.strictObject({
  /** Equals the file name without `.json`. */
  name: catalogName,
  version: z.string().min(1),
  description: z.string().min(1),
  text: multilineText.refine((text) => text.trim().length > 0, { error: "must not be empty" }),
});
export type SystemPromptFile = z.output<typeof systemPromptFileSchema>;

export const exemplarSchema = z.strictObject({
  /** Unique within the set. */
  id: z.string().min(1),
  query: multilineText.refine((text) => text.trim().length > 0, { error: "must not be empty" }),
  answer: multilineText.refine((text) => text.trim().length > 0, { error: "must not be empty" }),
});
export type Exemplar = z.output<typeof exemplarSchema>;

export const exemplarSetFileSchema = z
  .strictObject({
    /** Equals the file name without `.json`; the API model id is `urial/<name>`. */
    name: catalogName,
    version: z.string().min(1),
    description: z.string().min(1),
    /** Name of a file in `system-prompts/` (without `.json`). */
    systemPrompt: catalogName,
    exemplars: z.array(exemplarSchema),
  })
  .superRefine((set, context) => {
    const seen = new Set<string>();
    set.exemplars.forEach((exemplar, index) => {
      if (seen.has(exemplar.id)) {
        context.addIssue({ code: "custom", path: ["exemplars", index, "id"], message: `duplicate exemplar id '${exemplar.id}'` });
      }
      seen.add(exemplar.id);
    });
  });
export type ExemplarSetFile = z.output<typeof exemplarSetFileSchema>;
