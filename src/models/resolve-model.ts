/**
 * @module models/resolve-model
 * Turns any `--model` value into a local GGUF path: a file path as before, a
 * model already in the cache by its name (as `urial models` lists it), or an
 * `hf:` URI / URL, which is pulled once and then found in the cache.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { checkModelFile } from "./model-file-check.js";
import { fetchModel, type FetchedModel, type FetchModelOptions } from "./fetch-model.js";
import { ModelFetchError } from "./model-fetch-error.js";
import { parseModelReference } from "./model-reference.js";

/** A `--model` value made local. */
export interface ResolvedModel {
  path: string;
  /** How it was found. */
  origin: "path" | "cache" | "download";
}

/** Resolves a `--model` value; throws `ModelLoadError` (a `ModelFetchError` for remote models) with a one-line message. */
export async function resolveModel(value: string, options: FetchModelOptions): Promise<ResolvedModel> {
  let reference;
  try {
    reference = parseModelReference(value);
  } catch (error) {
    throw new ModelFetchError(value, (error as Error).message);
  }
  if (reference.kind !== "local") {
    const fetched: FetchedModel = await fetchModel(reference, options);
    return { path: fetched.path, origin: fetched.cached ? "cache" : "download" };
  }
  if ((await exists(value)) || /[\\/]/.test(value)) {
    await checkModelFile(value);
    return { path: value, origin: "path" };
  }
  const cached = await findCachedModelByName(options.modelsDir, value);
  if (cached === undefined) {
    throw new ModelFetchError(value, `no such file, and no model of that name in ${options.modelsDir} ('urial models' lists them; 'urial pull hf:<user>/<repo>/<file>.gguf' fetches one)`);
  }
  await checkModelFile(cached);
  return { path: cached, origin: "cache" };
}

/** The cached file called `name` (with or without `.gguf`); undefined when there is none. */
export async function findCachedModelByName(modelsDir: string, name: string): Promise<string | undefined> {
  if (name === "" || /[\\/]/.test(name) || name.startsWith(".")) return undefined;
  for (const candidate of name.endsWith(".gguf") ? [name] : [`${name}.gguf`, name]) {
    const path = join(modelsDir, candidate);
    if (await exists(path)) return path;
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
