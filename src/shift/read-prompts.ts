/**
 * @module shift/read-prompts
 * The prompts file of `urial shift`, in one of two forms:
 * - **JSONL** (`.jsonl`/`.ndjson`, or a file whose first entry starts with
 *   `{`): one object per line, `{"query": "…", "id": "…", "answer": "…"}`;
 *   `id` (default `line-N`) and `answer` (score this answer instead of
 *   generating one) are optional;
 * - **plain text**: one query per line.
 * In both, blank lines and lines starting with `#` are skipped. Any problem is
 * a `ShiftInputError` naming the file and the line.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { ShiftPrompt } from "./analyse-prompt.js";
import { ShiftInputError } from "./shift-input-error.js";

const promptLineSchema = z.strictObject({
  query: z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }).refine((query) => query.trim().length > 0, { error: "must not be empty" }),
  id: z.string({ error: "must be a string" }).regex(/^\S+$/, { error: "must be non-empty, without spaces" }).optional(),
  answer: z
    .string({ error: "must be a string" })
    .refine((answer) => answer.trim().length > 0, { error: "must not be empty" })
    .optional(),
});

/** Parses a prompts file's text; `file` names it in errors and picks the form by extension. */
export function parsePrompts(text: string, file: string): ShiftPrompt[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const entries = lines.map((line, index) => ({ line, number: index + 1 })).filter(({ line }) => line.trim().length > 0 && !line.trimStart().startsWith("#"));
  if (entries.length === 0) throw new ShiftInputError(`${file}: has no prompts (one query per line, or JSONL objects with a "query")`);
  const jsonl = /\.(jsonl|ndjson)$/i.test(file) || entries[0]!.line.trimStart().startsWith("{");
  const prompts: ShiftPrompt[] = [];
  const seen = new Map<string, number>();
  for (const { line, number } of entries) {
    const prompt = jsonl ? parseJsonLine(line, `${file}:${number}`) : { query: line.trim() };
    const id = prompt.id ?? `line-${number}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new ShiftInputError(`${file}:${number}: id '${id}' was already used on line ${earlier}`);
    seen.set(id, number);
    prompts.push({ id, query: prompt.query, ...(prompt.answer !== undefined ? { answer: prompt.answer } : {}) });
  }
  return prompts;
}

/** Reads and parses a prompts file. */
export async function readPrompts(file: string): Promise<ShiftPrompt[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ShiftInputError(`${file}: ${code === "ENOENT" ? "no such prompts file" : `cannot read the prompts file (${code ?? String(error)})`}`);
  }
  return parsePrompts(text, file);
}

function parseJsonLine(line: string, where: string): z.output<typeof promptLineSchema> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new ShiftInputError(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ShiftInputError(`${where}: must be a JSON object such as {"query": "…"}`);
  }
  const result = promptLineSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    const message = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.map((key) => `'${key}'`).join(", ")} (allowed: query, id, answer)` : issue.message;
    throw new ShiftInputError(`${where}: ${field}${message}`);
  }
  return result.data;
}
