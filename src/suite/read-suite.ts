/**
 * @module suite/read-suite
 * Prompt suites for batch runs (`urial generate`, `urial ab`): a `.jsonl`
 * file with one item per line — a JSON string, or an object with `query`
 * (or `prompt`, or a multi-turn `messages` list ending with the user's) and
 * optional `id` and `category` — or any other file as plain text, one query
 * per non-empty line. Problems name the file and the line.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

/** One turn of a multi-turn suite item. */
export interface SuiteMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface SuiteItem {
  /** From the file, or `line-<n>`. */
  id: string;
  /** The (last) user message. */
  query: string;
  /** 1-based line in the file. */
  line: number;
  /** A tag for grouping results (`urial ab` reports per category); absent when the item has none. */
  category?: string;
  /** The whole conversation, for multi-turn items (`messages` in the file); the last one is the user's `query`. */
  messages?: SuiteMessage[];
}

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuiteError";
  }
}

const messageSchema = z.strictObject({ role: z.enum(["system", "user", "assistant"]), content: z.string().min(1) });
const optionalFields = { id: z.union([z.string(), z.number()]).optional(), category: z.string().min(1).optional() };
const itemSchema = z.union([
  z.string().min(1),
  z.looseObject({ ...optionalFields, query: z.string().min(1) }),
  z.looseObject({ ...optionalFields, prompt: z.string().min(1) }),
  z.looseObject({
    ...optionalFields,
    messages: z
      .array(messageSchema)
      .min(1)
      .refine((messages) => messages.at(-1)?.role === "user", { error: "the last message must be the user's" }),
  }),
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
    if (!parsed.success) {
      const multiTurn = json !== null && typeof json === "object" && "messages" in json;
      throw new SuiteError(
        multiTurn
          ? `${file}:${line}: "messages" must be a list of {"role": "system" | "user" | "assistant", "content": "…"} ending with the user's`
          : `${file}:${line}: expected a string or an object with a non-empty "query" (or "prompt")`,
      );
    }
    const value = parsed.data;
    if (typeof value === "string") items.push({ id: `line-${line}`, query: value, line });
    else {
      const id = value.id === undefined ? `line-${line}` : String(value.id);
      const category = typeof value.category === "string" ? { category: value.category } : {};
      if (Array.isArray(value.messages) && typeof value.query !== "string" && typeof value.prompt !== "string") {
        const messages = value.messages as SuiteMessage[];
        items.push({ id, query: messages.at(-1)!.content, line, ...category, messages });
        return;
      }
      // The union tried `query` first: when it failed (absent, empty, not a
      // string) the item matched through `prompt`, whatever `query` holds.
      const query = typeof value.query === "string" && value.query.length > 0 ? value.query : (value.prompt as string);
      items.push({ id, query, line, ...category });
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
