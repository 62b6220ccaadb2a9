/**
 * @module cli/start-experiments
 * For `urial serve --experiments FILE`: reads and checks the experiments
 * against the catalog, opens the outcome log, and rebuilds the statistics
 * from the lines it already holds (so a restart keeps the counts). Throws
 * `ExperimentError` with a one-line message.
 */
import { ExperimentError } from "../ab/online/experiment-error.js";
import { ExperimentRegistry } from "../ab/online/experiment-registry.js";
import { checkExperimentsAgainstCatalog, loadExperiments } from "../ab/online/load-experiments.js";
import { OutcomeLog, readOutcomeLog } from "../ab/online/outcome-log.js";
import type { Catalog } from "../catalog/catalog.js";

export interface StartExperimentsOptions {
  file: string;
  catalog: Catalog;
  log: { path: string; maxBytes: number; keep: number; text: boolean };
  /** Sequences that generate at once (a warning when fewer than an experiment's variants). */
  parallel: number;
  /** Receives notices. */
  notice: (message: string) => void;
}

export async function startExperiments(options: StartExperimentsOptions): Promise<ExperimentRegistry> {
  const experiments = await loadExperiments(options.file);
  checkExperimentsAgainstCatalog(experiments, options.catalog, options.file);
  let log: OutcomeLog;
  try {
    log = new OutcomeLog({ ...options.log, onError: (error) => options.notice(`cannot write the experiment outcome log ${options.log.path}: ${error.message}`) });
  } catch (error) {
    throw new ExperimentError(`--experiment-log ${options.log.path}: cannot open it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const registry = new ExperimentRegistry({ experiments, log, logText: options.log.text });
  const earlier = readOutcomeLog(options.log.path, options.log.keep);
  const replayed = registry.replay(earlier.entries, registry.currentHashes(options.catalog));
  for (const experiment of experiments) {
    const variants = experiment.variants.map((variant) => `${variant.name}=${variant.exemplars}${variant.systemPrompt ? `+${variant.systemPrompt}` : ""} (weight ${variant.weight})`).join(", ");
    options.notice(`experiment '${experiment.id}' on model '${experiment.model}': ${variants}; sticky by ${experiment.sticky.join(", then ")}`);
    if (experiment.variants.length > options.parallel) {
      options.notice(
        `note: experiment '${experiment.id}' has ${experiment.variants.length} variants but --parallel is ${options.parallel}: variants will evict each other's cached prefix; use --parallel ${experiment.variants.length} or more to keep each warm`,
      );
    }
  }
  options.notice(
    `experiment outcomes go to ${options.log.path}${options.log.text ? " (with text)" : ""}; ${replayed.requests} earlier requests and ${replayed.feedback} votes read back${replayed.skipped + earlier.unreadable > 0 ? `, ${replayed.skipped + earlier.unreadable} lines skipped (other variants or unreadable)` : ""}`,
  );
  return registry;
}
