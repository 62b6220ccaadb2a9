/**
 * @module models/remove-cached-model
 * `urial models rm NAME`: deletes a cached model, its record and any partial
 * download of the same name.
 */
import { rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { cacheRecordPath } from "./cache-record.js";
import { partialDirName } from "./models-dir.js";
import { findCachedModelByName } from "./resolve-model.js";

/** What was removed: the model's file name and bytes freed; undefined when nothing by that name exists. */
export async function removeCachedModel(modelsDir: string, name: string): Promise<{ name: string; bytes: number } | undefined> {
  const path = await findCachedModelByName(modelsDir, name);
  const fileName = path === undefined ? (name.endsWith(".gguf") ? name : `${name}.gguf`) : basename(path);
  if (/[\\/]/.test(fileName) || fileName.startsWith(".")) return undefined;
  const partials = [join(modelsDir, partialDirName, fileName), join(modelsDir, partialDirName, `${fileName}.ipull`)];
  let bytes = 0;
  let found = false;
  for (const candidate of [...(path !== undefined ? [path, cacheRecordPath(path)] : []), ...partials]) {
    const size = await stat(candidate).then(
      (info) => info.size,
      () => undefined,
    );
    if (size === undefined) continue;
    found = true;
    bytes += size;
    await rm(candidate, { force: true });
  }
  return found ? { name: fileName, bytes } : undefined;
}
