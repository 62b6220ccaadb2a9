/**
 * @module exemplar-search/read-pool
 * The candidate exemplars of a search, from a file in one of two forms:
 * - **JSONL**: one exemplar per line, in the exemplar-set file's own fields
 *   (`query`, `answer`, optional `id`, `thoughts`, `followUps`, `style`;
 *   `answer` may be an array of lines); `id` defaults to `line-N`;
 * - **an exemplar-set file** (`{"exemplars": [...]}`), so a search can pick
 *   from sets already written.
 * Every candidate is checked as `urial exemplars lint` would check it inside a
 * set: a text that could forge a block header, a thoughts marker or an
 * unbalanced fence is an error naming `file:line`. Whether an answer follows
 * URIAL's structured style is recorded, not required: the search is there to
 * find out which answers work. Pure parsing; `readPool` adds the file read.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { ExemplarSet } from "../catalog/catalog.js";
import { exemplarSchema, type Exemplar } from "../catalog/catalog-schema.js";
import { lintExemplarSet, styleProblems } from "../catalog/lint-exemplar-set.js";
import { SearchInputError } from "./search-input-error.js";

export interface PoolCandidate {
  /** Unique in the pool; becomes the exemplar's id in the written set. */
  id: string;
  exemplar: Exemplar;
  /** `pool`: read from a file; `chat`: the chat model's own answer (`--pool-from-chat`). */
  source: "pool" | "chat";
  /** `file:line` (or `file:exemplars.N`) for messages. */
  where: string;
  /** URIAL style problems of the answer(s) (empty: structured URIAL style). */
  styleProblems: string[];
}

const poolLineSchema = exemplarSchema.extend({ id: z.string().regex(/^\S+$/, { error: "must be non-empty, without spaces" }).optional() });

/** Parses a pool file's text; `file` names it in errors. */
export function parsePool(text: string, file: string): PoolCandidate[] {
  const body = text.replace(/^\uFEFF/, "");
  const trimmed = body.trim();
  if (trimmed.length === 0) throw new SearchInputError(`${file}: the pool is empty (one exemplar per JSONL line, or an exemplar-set file)`);
  const asSet = wholeJson(trimmed);
  const entries: { json: unknown; where: string; fallbackId: string }[] = [];
  if (asSet !== undefined && typeof asSet === "object" && asSet !== null && !Array.isArray(asSet) && "exemplars" in asSet) {
    const list = (asSet as { exemplars: unknown }).exemplars;
    if (!Array.isArray(list)) throw new SearchInputError(`${file}: exemplars: must be an array of exemplars`);
    list.forEach((json, index) => entries.push({ json, where: `${file}:exemplars.${index}`, fallbackId: `exemplar-${index + 1}` }));
  } else {
    body.split(/\r?\n/).forEach((line, index) => {
      if (line.trim().length === 0 || line.trimStart().startsWith("#")) return;
      const where = `${file}:${index + 1}`;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new SearchInputError(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      entries.push({ json, where, fallbackId: `line-${index + 1}` });
    });
  }
  const seen = new Map<string, string>();
  const candidates = entries.map(({ json, where, fallbackId }) => {
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new SearchInputError(`${where}: must be a JSON object such as {"query": "…", "answer": "…"}`);
    const result = poolLineSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      const message =
        issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.map((key) => `'${key}'`).join(", ")} (allowed: id, query, answer, thoughts, followUps, style)` : issue.message;
      throw new SearchInputError(`${where}: ${field}${message}`);
    }
    const id = result.data.id ?? fallbackId;
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new SearchInputError(`${where}: id '${id}' was already used at ${earlier}`);
    seen.set(id, where);
    return checkCandidate({ ...result.data, id }, "pool", where);
  });
  checkOneTemplate(candidates);
  return candidates;
}

/** Reads and parses a pool file. */
export async function readPool(file: string): Promise<PoolCandidate[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SearchInputError(`${file}: ${code === "ENOENT" ? "no such pool file" : `cannot read the pool file (${code ?? String(error)})`}`);
  }
  return parsePool(text, file);
}

/**
 * Lints one exemplar as part of a set (layout problems are errors) and
 * records its style problems. Throws `SearchInputError` naming `where`.
 */
export function checkCandidate(exemplar: Exemplar, source: PoolCandidate["source"], where: string): PoolCandidate {
  const probe: ExemplarSet = {
    name: "pool",
    version: "0",
    description: "pool",
    template: exemplar.thoughts !== undefined ? "principles" : "urial",
    systemPromptName: "none",
    systemPrompt: "",
    exemplars: [{ ...exemplar, style: "free" }],
    hash: "",
    file: where,
  };
  const layout = lintExemplarSet(probe).problems;
  if (layout.length > 0) {
    const problem = layout[0]!;
    throw new SearchInputError(`${where}: ${problem.field.replace(/^exemplars\.0\.?/, "") || "exemplar"}: ${problem.message}`);
  }
  const turns = [exemplar.answer, ...(exemplar.followUps ?? []).map((turn) => turn.answer)];
  const style = exemplar.style === "free" ? [] : turns.flatMap((answer) => styleProblems(answer));
  return { id: exemplar.id, exemplar, source, where, styleProblems: style };
}

/** A set has one template: either every candidate carries thoughts (principles) or none does. */
export function checkOneTemplate(candidates: readonly PoolCandidate[]): void {
  const withThoughts = candidates.filter((candidate) => candidate.exemplar.thoughts !== undefined);
  if (withThoughts.length > 0 && withThoughts.length < candidates.length) {
    const odd = candidates.find((candidate) => candidate.exemplar.thoughts === undefined)!;
    throw new SearchInputError(`${odd.where}: has no thoughts, but ${withThoughts[0]!.where} has; a pool is either all principles exemplars (with thoughts) or all URIAL exemplars (without)`);
  }
}

function wholeJson(text: string): unknown {
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
