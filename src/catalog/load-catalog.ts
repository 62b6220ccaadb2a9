/**
 * @module catalog/load-catalog
 * Reads and validates `exemplars/` and `system-prompts/`. `inspectCatalog`
 * checks every file and collects every problem (for `urial exemplars lint`);
 * `loadCatalog` stops at the first one with a `CatalogError` naming the file
 * and the field (for start-up and hot reload).
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { z } from "zod";
import { hashExemplarSet, type Catalog, type ExemplarSet } from "./catalog.js";
import { exemplarSetFileSchema, systemPromptFileSchema } from "./catalog-schema.js";

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogError";
  }
}

export interface CatalogLocation {
  exemplarsDir: string;
  systemPromptsDir: string;
  /** Name of the set served as model `urial`. */
  defaultSet: string;
}

/** One problem in one file; `field` is a dot path, or "(file)". */
export interface CatalogProblem {
  file: string;
  field: string;
  message: string;
}

/** `file:field: message`, the form every tool prints. */
export function formatProblem(problem: CatalogProblem): string {
  return `${problem.file}:${problem.field}: ${problem.message}`;
}

export interface CatalogInspection {
  /** The sets that are valid. */
  sets: Map<string, ExemplarSet>;
  /** System prompts by name. */
  systemPrompts: Map<string, { text: string; file: string }>;
  problems: CatalogProblem[];
}

/** Validates every file and returns the good sets with all problems found. */
export async function inspectCatalog(location: Omit<CatalogLocation, "defaultSet">): Promise<CatalogInspection> {
  const problems: CatalogProblem[] = [];
  const systemPrompts = new Map<string, { text: string; file: string }>();
  for (const file of await listJsonFiles(location.systemPromptsDir)) {
    const parsed = await readValidated(file, systemPromptFileSchema, problems);
    if (parsed) systemPrompts.set(parsed.name, { text: parsed.text, file });
  }
  const sets = new Map<string, ExemplarSet>();
  for (const file of await listJsonFiles(location.exemplarsDir)) {
    const parsed = await readValidated(file, exemplarSetFileSchema, problems);
    if (!parsed) continue;
    const systemPrompt = systemPrompts.get(parsed.systemPrompt);
    if (systemPrompt === undefined) {
      problems.push({ file, field: "systemPrompt", message: `no system prompt named '${parsed.systemPrompt}' in ${location.systemPromptsDir}` });
      continue;
    }
    const set = {
      name: parsed.name,
      version: parsed.version,
      description: parsed.description,
      template: parsed.template ?? "urial",
      systemPromptName: parsed.systemPrompt,
      systemPrompt: systemPrompt.text,
      exemplars: parsed.exemplars,
    };
    sets.set(parsed.name, { ...set, hash: hashExemplarSet(set), file });
  }
  return { sets, systemPrompts, problems };
}

/** Loads the catalog; the first problem is thrown as a `CatalogError`. */
export async function loadCatalog(location: CatalogLocation): Promise<Catalog> {
  const { sets, systemPrompts, problems } = await inspectCatalog(location);
  if (problems.length > 0) throw new CatalogError(problemMessage(problems[0]!));
  const defaultSet = sets.get(location.defaultSet);
  if (!defaultSet) {
    const known = [...sets.keys()].join(", ") || "none";
    throw new CatalogError(`no exemplar set named '${location.defaultSet}' in ${location.exemplarsDir} (found: ${known})`);
  }
  return { sets, defaultSet, systemPrompts: new Map([...systemPrompts].map(([name, prompt]) => [name, prompt.text])) };
}

function problemMessage(problem: CatalogProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.message}`;
}

async function listJsonFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new CatalogError(`${dir}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name));
}

async function readValidated<Schema extends z.ZodType<{ name: string }>>(file: string, schema: Schema, problems: CatalogProblem[]): Promise<z.output<Schema> | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    problems.push({ file, field: "(file)", message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` });
    return undefined;
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ file, field: issue.path.length > 0 ? issue.path.join(".") : "(file)", message: issue.message });
    }
    return undefined;
  }
  const expected = basename(file, ".json");
  if (result.data.name !== expected) {
    problems.push({ file, field: "name", message: `is '${result.data.name}' but must equal the file name '${expected}'` });
    return undefined;
  }
  return result.data;
}
