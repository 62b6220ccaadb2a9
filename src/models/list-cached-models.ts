/**
 * @module models/list-cached-models
 * What the models folder holds: each GGUF with its size, source and header
 * summary, and any partial downloads waiting for a resume.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { readCacheRecord } from "./cache-record.js";
import type { ModelSummary } from "./model-files.js";
import { partialDirName } from "./models-dir.js";

export interface CachedModel {
  /** File name: what `--model` and `urial models rm` take. */
  name: string;
  path: string;
  size: number;
  /** Where it was pulled from; undefined for a file put there by hand. */
  source: string | undefined;
  sha256: string | null | undefined;
  /** The header summary, or the reason it could not be read. */
  summary: { ok: true; value: ModelSummary } | { ok: false; problem: string };
}

export interface PartialDownload {
  name: string;
  size: number;
}

export interface CacheListing {
  models: CachedModel[];
  partials: PartialDownload[];
}

/** Lists the cache; a missing folder is an empty cache. */
export async function listCachedModels(modelsDir: string, inspect: (path: string) => Promise<ModelSummary>): Promise<CacheListing> {
  const models: CachedModel[] = [];
  for (const name of await fileNames(modelsDir, (name) => name.endsWith(".gguf"))) {
    const path = join(modelsDir, name);
    const record = await readCacheRecord(path);
    let summary: CachedModel["summary"];
    try {
      summary = { ok: true, value: await inspect(path) };
    } catch (error) {
      summary = { ok: false, problem: (error instanceof Error ? error.message : String(error)).split("\n")[0]! };
    }
    models.push({ name, path, size: (await stat(path)).size, source: record?.source, sha256: record?.sha256, summary });
  }
  const partialDir = join(modelsDir, partialDirName);
  const partials: PartialDownload[] = [];
  for (const name of await fileNames(partialDir, () => true)) partials.push({ name, size: (await stat(join(partialDir, name))).size });
  return { models, partials };
}

async function fileNames(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && keep(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
