/**
 * @module ab/online/load-experiments
 * Reads and validates `--experiments FILE`; every problem names the file and
 * the field (`experiments.0.variants.1.weight`).
 */
import { readFile } from "node:fs/promises";
import { ZodError } from "zod";
import type { Catalog } from "../../catalog/catalog.js";
import { ExperimentError } from "./experiment-error.js";
import { toExperimentConfigs, type ExperimentConfig } from "./experiment-schema.js";

/** Parses experiments from JSON text; `file` is used in messages only. */
export function parseExperiments(text: string, file: string): ExperimentConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ExperimentError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return toExperimentConfigs(json);
  } catch (error) {
    if (error instanceof ZodError) {
      const issue = error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(file)";
      throw new ExperimentError(`${file}: ${field}: ${issue.message}`);
    }
    throw error;
  }
}

/** Reads and parses the experiments file. */
export async function loadExperiments(file: string): Promise<ExperimentConfig[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ExperimentError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseExperiments(text, file);
}

/** Checks that every variant's exemplar set and system prompt exist in `catalog`. */
export function checkExperimentsAgainstCatalog(experiments: readonly ExperimentConfig[], catalog: Catalog, file: string): void {
  experiments.forEach((experiment, experimentIndex) => {
    experiment.variants.forEach((variant, variantIndex) => {
      const where = `${file}: experiments.${experimentIndex}.variants.${variantIndex}`;
      if (!catalog.sets.has(variant.exemplars)) {
        throw new ExperimentError(`${where}.exemplars: no exemplar set named '${variant.exemplars}' (found: ${[...catalog.sets.keys()].join(", ") || "none"})`);
      }
      if (variant.systemPrompt !== undefined && catalog.systemPrompts?.has(variant.systemPrompt) !== true) {
        throw new ExperimentError(`${where}.systemPrompt: no system prompt named '${variant.systemPrompt}' (found: ${[...(catalog.systemPrompts?.keys() ?? [])].join(", ") || "none"})`);
      }
    });
  });
}
