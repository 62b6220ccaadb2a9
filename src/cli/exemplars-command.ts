/**
 * @module cli/exemplars-command
 * `urial exemplars list | lint | show | search`: look after the exemplar library
 * (`search` is its own command file: it chooses a set by measurement).
 */
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { exemplarExchanges } from "../catalog/catalog.js";
import { lintExemplarSet, type TokenBudget } from "../catalog/lint-exemplar-set.js";
import { CatalogError, formatProblem, inspectCatalog } from "../catalog/load-catalog.js";
import { packageRoot } from "../config/serve-config.js";
import { loadTokenizer, type Tokenizer } from "../engine/load-tokenizer.js";
import { ModelLoadError } from "../engine/model-file-check.js";
import { combineSystem } from "../openai/conversation-from-messages.js";
import { defaultModelsDir } from "../models/models-dir.js";
import { renderUrialPrompt } from "../prompt/render-urial-prompt.js";
import { runExemplarsSearchCommand } from "./exemplars-search-command.js";
import { resolveModelOption } from "./resolve-model-option.js";

const help = `Usage: urial exemplars <list | lint | show NAME | search> [options]

  list                 the exemplar sets with template, exemplar count and content hash
  lint                 check every set and system prompt; prints file:field: message
                       lines and exits 1 when there is any problem
  show NAME            print the exact prompt set NAME renders for a query
  search               choose K exemplars from a pool by measured distribution shift
                       and write them as a set ('urial exemplars search --help')

Options:
  --exemplars-dir DIR         folder of exemplar sets (default: the package's exemplars/; env URIAL_EXEMPLARS_DIR)
  --system-prompts-dir DIR    folder of system prompts (default: the package's system-prompts/; env URIAL_SYSTEM_PROMPTS_DIR)
  --model MODEL               count tokens with this GGUF's tokenizer: a path, a cached name, an hf: URI or URL (env URIAL_MODEL)
  --models-dir DIR            cache of pulled models (env URIAL_MODELS_DIR)
  --context-size N            context to check against (default: the model's training context, at most 4096)
  --max-tokens N              answer budget that must fit after the prompt (lint; default 512)
  --query TEXT                the query to render (show; default: a sample question)
  --system TEXT               a client system message to append (show)
  -h, --help                  show this help`;

export async function runExemplarsCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === "search") return runExemplarsSearchCommand(argv.slice(1), env);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        "exemplars-dir": { type: "string" },
        "system-prompts-dir": { type: "string" },
        model: { type: "string" },
        "models-dir": { type: "string" },
        "context-size": { type: "string" },
        "max-tokens": { type: "string" },
        query: { type: "string" },
        system: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`urial exemplars: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, name] = positionals;
  if (values.help === true || action === undefined) {
    process.stdout.write(`${help}\n`);
    return values.help === true ? 0 : 2;
  }
  const location = {
    exemplarsDir: values["exemplars-dir"] ?? env.URIAL_EXEMPLARS_DIR ?? join(packageRoot, "exemplars"),
    systemPromptsDir: values["system-prompts-dir"] ?? env.URIAL_SYSTEM_PROMPTS_DIR ?? join(packageRoot, "system-prompts"),
  };
  const modelPath = values.model ?? env.URIAL_MODEL;
  const numbers: Record<string, number | undefined> = {};
  for (const flag of ["context-size", "max-tokens"] as const) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      process.stderr.write(`urial exemplars: --${flag} must be a whole number ≥ 1; got '${raw}'\n`);
      return 2;
    }
    numbers[flag] = value;
  }

  let tokenizer: Tokenizer | undefined;
  try {
    const inspection = await inspectCatalog(location);
    if (modelPath !== undefined && action !== "list") {
      tokenizer = await loadTokenizer(await resolveModelOption(modelPath, { modelsDir: values["models-dir"] ?? defaultModelsDir(env), env, output: process.stderr }));
    }
    const contextSize = numbers["context-size"] ?? (tokenizer ? Math.min(tokenizer.trainContextSize, 4096) : undefined);
    switch (action) {
      case "list": {
        for (const set of inspection.sets.values()) {
          process.stdout.write(`${set.name}@${set.version}  ${set.template}  ${set.exemplars.length} exemplars  ${set.hash}  ${set.description}\n`);
        }
        for (const problem of inspection.problems) process.stderr.write(`${formatProblem(problem)}\n`);
        return inspection.problems.length > 0 ? 1 : 0;
      }
      case "lint": {
        const budget: TokenBudget | undefined =
          tokenizer && contextSize !== undefined
            ? { tokenize: (text) => tokenizer!.tokenize(text), contextSize, answerTokens: numbers["max-tokens"] ?? 512 }
            : undefined;
        const problems = [...inspection.problems];
        for (const set of inspection.sets.values()) {
          const report = lintExemplarSet(set, budget);
          problems.push(...report.problems);
          const tokens = report.prefixTokens === undefined ? "" : `, prefix ${report.prefixTokens} tokens, prompt ${report.promptTokens} + ${budget!.answerTokens} ≤ ${budget!.contextSize}?`;
          process.stdout.write(`${set.name}: ${set.exemplars.length} exemplars (${set.template})${tokens} ${report.problems.length === 0 ? "ok" : `${report.problems.length} problem(s)`}\n`);
        }
        for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
        process.stdout.write(problems.length === 0 ? `lint passed: ${inspection.sets.size} sets\n` : `lint failed: ${problems.length} problem(s)\n`);
        return problems.length === 0 ? 0 : 1;
      }
      case "show": {
        if (name === undefined) {
          process.stderr.write("urial exemplars show: name the set to show, e.g. 'urial exemplars show urial-help'\n");
          return 2;
        }
        const set = inspection.sets.get(name);
        if (!set) {
          // The file's own name: "help" must not pick up a problem of "urial-help.json".
          const bad = inspection.problems.find((problem) => basename(problem.file) === `${name}.json`);
          process.stderr.write(bad ? `${formatProblem(bad)}\n` : `urial exemplars show: no set named '${name}' (have: ${[...inspection.sets.keys()].join(", ")})\n`);
          return 1;
        }
        const rendered = renderUrialPrompt({
          system: combineSystem(set.systemPrompt, values.system ?? "", "append"),
          exemplars: exemplarExchanges(set),
          history: [],
          query: values.query ?? "What are three things I should know before adopting a dog?",
          template: set.template,
        });
        process.stdout.write(rendered.text);
        if (tokenizer) {
          process.stderr.write(
            `\n[${set.name}: prefix ${tokenizer.tokenize(rendered.text.slice(0, rendered.prefixLength)).length} tokens, whole prompt ${tokenizer.tokenize(rendered.text).length} tokens]\n`,
          );
        }
        return 0;
      }
      default:
        process.stderr.write(`urial exemplars: unknown action '${action}'. Run 'urial exemplars --help'.\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CatalogError || error instanceof ModelLoadError) {
      process.stderr.write(`urial exemplars: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await tokenizer?.dispose();
  }
}
