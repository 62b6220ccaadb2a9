/**
 * @module ab/offline/read-ab-results
 * Reads a finished run's `results.json` for `urial ab evolve` and
 * `urial ab calibrate`, checking that it is one.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AbResults } from "./ab-results.js";

export class AbResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AbResultsError";
  }
}

/** `DIR/results.json`, or an `AbResultsError` saying why not. */
export async function readAbResults(dir: string): Promise<AbResults> {
  const file = join(dir, "results.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new AbResultsError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}); run 'urial ab --out ${dir}' first`);
  }
  let json: Partial<AbResults>;
  try {
    json = JSON.parse(text) as Partial<AbResults>;
  } catch {
    throw new AbResultsError(`${file}: not valid JSON`);
  }
  if (json.format !== "urial-ab" || json.version !== 1 || !Array.isArray(json.prompts) || !Array.isArray(json.variants))
    throw new AbResultsError(`${file}: not a urial ab results file (format urial-ab, version 1)`);
  return json as AbResults;
}
