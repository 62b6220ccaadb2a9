/**
 * @module platform/cache-dir
 * Where urial keeps files between runs: `$XDG_CACHE_HOME/urial` or
 * `~/.cache/urial` (on Windows `%LOCALAPPDATA%\urial`).
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function urialCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "urial");
  if (process.platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "urial");
  return join(homedir(), ".cache", "urial");
}
