/**
 * @module suite/read-suite
 * Prompt suites for batch runs (`urial generate`, `urial ab`): a `.jsonl`
 * file with one item per line — a JSON string, or an object with `query`
 * (or `prompt`) and an optional `id` — or any other file as plain text, one
 * query per non-empty line. Problems name the file and the line.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

export interface SuiteItem {
  /** From the file, or `line-<n>`. */
  id: string;
  query: string;
  /** 1-based line in the file. */
  line: number;
}

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuiteError";
  }
}

const itemSchema = z.union([
  z.string().min(1),
  z.looseObject({ id: z.union([z.string(), z.number()]).optional(), query: z.string().min(1) }),
  z.looseObject({ id: z.union([z.string(), z.number()]).optional(), prompt: z.string().min(1) }),
]);

/** Parses suite text; `file` is only used in messages and to pick the format. */
export function parseSuite(text: string, file: string): SuiteItem[] {
  const items: SuiteItem[] = [];
  const jsonl = file.endsWith(".jsonl");
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed.length === 0) return;
    if (!jsonl) {
      items.push({ id: `line-${line}`, query: trimmed, line });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new SuiteError(`${file}:${line}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = itemSchema.safeParse(json);
    if (!parsed.success) throw new SuiteError(`${file}:${line}: expected a string or an object with a non-empty "query" (or "prompt")`);
    const value = parsed.data;
    if (typeof value === "string") items.push({ id: `line-${line}`, query: value, line });
    else {
      // The union tried `query` first: when it failed (absent, empty, not a
      // string) the item matched through `prompt`, whatever `query` holds.
      const query = typeof value.query === "string" && value.query.length > 0 ? value.query : (value.prompt as string);
      items.push({ id: value.id === undefined ? `line-${line}` : String(value.id), query, line });
    }
  });
  const seen = new Map<string, number>();
  for (const item of items) {
    const earlier = seen.get(item.id);
    if (earlier !== undefined) throw new SuiteError(`${file}:${item.line}: id '${item.id}' is already used on line ${earlier}`);
    seen.set(item.id, item.line);
  }
  if (items.length === 0) throw new SuiteError(`${file}: no queries in the file`);
  return items;
}

export async function readSuite(file: string): Promise<SuiteItem[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new SuiteError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseSuite(text, file);
}
