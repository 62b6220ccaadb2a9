/**
 * @module catalog/load-catalog
 * Reads and validates `exemplars/` and `system-prompts/` at start-up. Any bad
 * file stops the start with a `CatalogError` naming the file and the field.
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

export async function loadCatalog(location: CatalogLocation): Promise<Catalog> {
  const prompts = new Map<string, string>();
  for (const file of await listJsonFiles(location.systemPromptsDir)) {
    const parsed = await readValidated(file, systemPromptFileSchema);
    prompts.set(parsed.name, parsed.text);
  }
  const sets = new Map<string, ExemplarSet>();
  for (const file of await listJsonFiles(location.exemplarsDir)) {
    const parsed = await readValidated(file, exemplarSetFileSchema);
    const systemPrompt = prompts.get(parsed.systemPrompt);
    if (systemPrompt === undefined) {
      throw new CatalogError(`${file}: systemPrompt: no system prompt named '${parsed.systemPrompt}' in ${location.systemPromptsDir}`);
    }
    const set = {
      name: parsed.name,
      version: parsed.version,
      description: parsed.description,
      systemPromptName: parsed.systemPrompt,
      systemPrompt,
      exemplars: parsed.exemplars,
    };
    sets.set(parsed.name, { ...set, hash: hashExemplarSet(set), file });
  }
  const defaultSet = sets.get(location.defaultSet);
  if (!defaultSet) {
    const known = [...sets.keys()].join(", ") || "none";
    throw new CatalogError(`no exemplar set named '${location.defaultSet}' in ${location.exemplarsDir} (found: ${known})`);
  }
  return { sets, defaultSet };
}

async function listJsonFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new CatalogError(`${dir}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return names.filter((name) => name.endsWith(".json")).sort().map((name) => join(dir, name));
}

async function readValidated<Schema extends z.ZodType<{ name: string }>>(file: string, schema: Schema): Promise<z.output<Schema>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CatalogError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join(".") : "(file)";
    throw new CatalogError(`${file}: ${field}: ${issue.message}`);
  }
  const expected = basename(file, ".json");
  if (result.data.name !== expected) {
    throw new CatalogError(`${file}: name: is '${result.data.name}' but must equal the file name '${expected}'`);
  }
  return result.data;
}
