/**
 * @module cli/exemplars-command
 * `urial exemplars list | lint | show | search`: look after the exemplar library
 * (`search` is its own command file: it chooses a set by measurement).
 */
import { basename } from "node:path";
import { z } from "zod";
import { exemplarExchanges } from "../catalog/catalog.js";
import { lintExemplarSet, type TokenBudget } from "../catalog/lint-exemplar-set.js";
import { CatalogError, formatProblem, inspectCatalog } from "../catalog/load-catalog.js";
import { didYouMean } from "../config/did-you-mean.js";
import { formatOptionsHelp, parseOptions, type OptionTable } from "../config/read-options.js";
import { contextSizeOption, exemplarsDirOption, modelsDirOption, systemPromptsDirOption, wholeNumber } from "../config/shared-options.js";
import { loadTokenizer, type Tokenizer } from "../engine/load-tokenizer.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { combineSystem } from "../openai/conversation-from-messages.js";
import { renderUrialPrompt } from "../prompt/render-urial-prompt.js";
import { runExemplarsSearchCommand } from "./exemplars-search-command.js";
import { resolveModelOption } from "./resolve-model-option.js";

/** The options of `urial exemplars`; folders and model read the same variables as `urial serve`. */
export const exemplarsOptions = {
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
  model: { flag: "model", env: "URIAL_MODEL", value: "MODEL", description: "count tokens with this GGUF's tokenizer (lint, show): a path, a cached name, an hf: URI or URL" },
  modelsDir: modelsDirOption,
  contextSize: { ...contextSizeOption, description: "context to check against (lint)" },
  maxTokens: { flag: "max-tokens", value: "N", description: "answer budget that must fit after the prompt (lint)", default: "512", defaultValue: "512" },
  query: { flag: "query", value: "TEXT", description: "the query to render (show)", default: "a sample question" },
  system: { flag: "system", value: "TEXT", description: "a client system message to append (show)" },
  json: { flag: "json", value: "", description: "list: the sets as JSON", boolean: true },
} as const satisfies OptionTable;

const exemplarsSchema = z.object({
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
  model: z.string().min(1).optional(),
  modelsDir: z.string().min(1),
  contextSize: wholeNumber(1, 10_000_000).optional(),
  maxTokens: wholeNumber(1, 10_000_000),
  query: z.string().optional(),
  system: z.string().optional(),
  json: z.literal("true").optional(),
});

const help = [
  "Usage: urial exemplars <list | lint | show NAME | search> [options]",
  "",
  "  list                 the exemplar sets with template, exemplar count and content hash",
  "  lint                 check every set and system prompt; prints file:field: message",
  "                       lines and exits 1 when there is any problem",
  "  show NAME            print the exact prompt set NAME renders for a query",
  "  search               choose K exemplars from a pool by measured distribution shift",
  "                       and write them as a set ('urial exemplars search --help')",
  "",
  "Options (each with a variable can also be set by it; the flag wins):",
  ...formatOptionsHelp(exemplarsOptions),
].join("\n");

const actions = ["list", "lint", "show", "search"];

export async function runExemplarsCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === "search") return runExemplarsSearchCommand(argv.slice(1), env);
  const parsed = parseOptions("exemplars", exemplarsOptions, exemplarsSchema, argv, env, { positionals: true });
  if (!parsed.ok) {
    process.stderr.write(`urial exemplars: ${parsed.message}\n`);
    return 2;
  }
  const [action, name] = parsed.help ? [] : parsed.positionals;
  if (parsed.help || action === undefined) {
    process.stdout.write(`${help}\n`);
    return parsed.help ? 0 : 2;
  }
  const config = parsed.config;
  const location = { exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir };
  const modelPath = config.model;
  const values = { system: config.system, query: config.query };
  const numbers: Record<string, number | undefined> = { "context-size": config.contextSize, "max-tokens": config.maxTokens };

  let tokenizer: Tokenizer | undefined;
  try {
    const inspection = await inspectCatalog(location);
    if (modelPath !== undefined && action !== "list") {
      tokenizer = await loadTokenizer(await resolveModelOption(modelPath, { modelsDir: config.modelsDir, env, output: process.stderr }));
    }
    const contextSize = numbers["context-size"] ?? (tokenizer ? Math.min(tokenizer.trainContextSize, 4096) : undefined);
    switch (action) {
      case "list": {
        if (config.json !== undefined) {
          const sets = [...inspection.sets.values()].map((set) => ({
            name: set.name,
            version: set.version,
            template: set.template,
            exemplars: set.exemplars.length,
            hash: set.hash,
            description: set.description,
          }));
          process.stdout.write(`${JSON.stringify({ exemplarsDir: location.exemplarsDir, sets, problems: inspection.problems.map(formatProblem) }, null, 2)}\n`);
          return inspection.problems.length > 0 ? 1 : 0;
        }
        for (const set of inspection.sets.values()) {
          process.stdout.write(`${set.name}@${set.version}  ${set.template}  ${set.exemplars.length} exemplars  ${set.hash}  ${set.description}\n`);
        }
        for (const problem of inspection.problems) process.stderr.write(`${formatProblem(problem)}\n`);
        return inspection.problems.length > 0 ? 1 : 0;
      }
      case "lint": {
        const budget: TokenBudget | undefined =
          tokenizer && contextSize !== undefined ? { tokenize: (text) => tokenizer!.tokenize(text), contextSize, answerTokens: numbers["max-tokens"] ?? 512 } : undefined;
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
        {
          const hint = didYouMean(action, actions);
          process.stderr.write(`urial exemplars: unknown action '${action}'.${hint ? ` Did you mean '${hint}'?` : ""} Run 'urial exemplars --help'.\n`);
        }
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
