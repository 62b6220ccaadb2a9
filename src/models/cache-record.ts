/**
 * @module models/cache-record
 * A small JSON file next to each pulled model (`<file>.gguf.json`) that says
 * where it came from and what was verified. It lets a URL be found in the
 * cache without the network and lets `urial models` show the source.
 */
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const cacheRecordSchema = z.object({
  format: z.literal("urial-model"),
  version: z.literal(1),
  /** The `hf:` URI or URL it was pulled from. */
  source: z.string(),
  size: z.number().int().nonnegative(),
  /** The sha256 the source gave and the file matched; null when the source gave none. */
  sha256: z.string().nullable(),
  pulledAt: z.string(),
});

export type CacheRecord = z.infer<typeof cacheRecordSchema>;

/** Where the record of a model file lives. */
export function cacheRecordPath(modelPath: string): string {
  return `${modelPath}.json`;
}

/** The record of a model file; undefined when there is none or it is unreadable. */
export async function readCacheRecord(modelPath: string): Promise<CacheRecord | undefined> {
  try {
    const parsed = cacheRecordSchema.safeParse(JSON.parse(await readFile(cacheRecordPath(modelPath), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (temporary file, then rename). */
export async function writeCacheRecord(modelPath: string, record: CacheRecord): Promise<void> {
  const path = cacheRecordPath(modelPath);
  await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** The cached model whose record names `source`; undefined when none does. */
export async function findRecordedModel(modelsDir: string, source: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(modelsDir);
  } catch {
    return undefined;
  }
  for (const name of names.filter((candidate) => candidate.endsWith(".gguf")).sort()) {
    const path = join(modelsDir, name);
    if ((await readCacheRecord(path))?.source === source) return path;
  }
  return undefined;
}
