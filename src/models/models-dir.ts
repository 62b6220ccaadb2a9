/**
 * @module models/models-dir
 * Where pulled models are cached: `--models-dir`, else `URIAL_MODELS_DIR`,
 * else `models/` in urial's cache folder (`$XDG_CACHE_HOME/urial/models` or
 * `~/.cache/urial/models`; `platform/cache-dir` owns that root). Pure.
 */
import { join, resolve } from "node:path";
import { urialCacheDir } from "../platform/cache-dir.js";

/** The models folder from the environment. */
export function defaultModelsDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.URIAL_MODELS_DIR ? resolve(env.URIAL_MODELS_DIR) : join(urialCacheDir(env), "models");
}

/** Sub-folder of the models folder that holds downloads in progress (never used as models). */
export const partialDirName = ".partial";
