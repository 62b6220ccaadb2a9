/**
 * @module platform/package-root
 * Where the installed package lives (the nearest folder with a package.json
 * above this file, from src/ and from dist/src/): the shipped exemplars,
 * system prompts, suites and shift prompts are found from it.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the shipped `exemplars/` and `system-prompts/` live (the package root). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}
