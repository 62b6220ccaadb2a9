/**
 * @module cli/shift-command
 * `urial shift`: read the settings, the exemplar set and the prompts (fail
 * fast on bad input), load both models, check they share a tokenizer, run
 * the analysis with a progress bar, and write DIR/shift.json and
 * DIR/report.html. Options come from the one option layer
 * (`config/shift-config`), with `--config FILE` and `--print-config` as for
 * `chat` (the flag only: URIAL_CONFIG names serve's file). Exit codes: 0
 * done, 1 bad input or model, 2 bad flag.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CatalogError, loadCatalog } from "../catalog/load-catalog.js";
import { checkShiftOption, parseShiftConfig, shiftHelp, shiftOptions } from "../config/shift-config.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { ChatTemplateError, type ScoringRuntime } from "../engine/scoring-model.js";
import { startScoringRuntime } from "../engine/llama-scoring-runtime.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { createShiftAnalyser } from "../shift/create-shift-analyser.js";
import { formatShiftSummary } from "../shift/format-shift-summary.js";
import { formatChatAnswerStyle, summarizeChatAnswerStyle } from "../shift/chat-answer-style.js";
import { formatPublishedComparison } from "../shift/published-splits.js";
import { readPrompts } from "../shift/read-prompts.js";
import { renderReportHtml } from "../shift/render-report-html.js";
import { runShift } from "../shift/run-shift.js";
import { ShiftInputError } from "../shift/shift-input-error.js";
import { readCommandOptions } from "./apply-config-file.js";
import { createProgressBar } from "./progress-bar.js";
import { resolveModelOption } from "./resolve-model-option.js";
import type { CommandIo } from "./command-io.js";

/** Runs the analysis; resolves with the process exit code. */
export async function runShiftCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = await readCommandOptions({ command: "shift", table: shiftOptions, check: checkShiftOption, parse: parseShiftConfig, help: shiftHelp }, argv, env, io);
  if (typeof parsed === "number") return parsed;
  const config = parsed.config;
  const fail = (message: string) => {
    io.stderr.write(`urial shift: ${message}\n`);
    return 1;
  };

  let runtime: ScoringRuntime | undefined;
  try {
    // Everything that can be checked without the models comes first.
    const catalog = await loadCatalog({ exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars });
    const set = catalog.defaultSet;
    const allPrompts = await readPrompts(config.prompts);
    const prompts = config.limit === undefined ? allPrompts : allPrompts.slice(0, config.limit);
    const chatTemplate = await readChatTemplate(config.chatTemplate);
    const out = resolve(config.out);
    await mkdir(out, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new ShiftInputError(`${out}: cannot create the output folder (${error.code ?? error.message})`);
    });

    // Paths stay paths; cached names and hf: URIs / URLs are pulled into the models cache first.
    const models = { modelsDir: config.modelsDir, env, output: io.stderr };
    const basePath = await resolveModelOption(config.base, models);
    const chatPath = await resolveModelOption(config.chat, models);

    runtime = await startScoringRuntime({
      threads: config.threads,
      batchThreads: config.batchThreads,
      maxThreads: physicalCoreCount(),
      gpu: config.gpu,
      onLog: (level, message) => {
        if (level === "error") io.stderr.write(`[urial] llama.cpp: ${message}\n`);
      },
    });
    const base = await runtime.loadModel({ modelPath: basePath, contextSize: config.contextSize, lanes: 2 });
    const chat = await runtime.loadModel({ modelPath: chatPath, contextSize: config.contextSize, lanes: 1, chatTemplate });
    const analyser = createShiftAnalyser({ base, chat });

    const progress = createProgressBar(io.stderr);
    let report;
    try {
      report = await runShift(analyser, prompts, {
        topK: config.topK,
        maxTokens: config.maxTokens,
        temperature: config.temperature,
        seed: config.seed,
        exemplarSet: set,
        promptsFile: config.prompts,
        onProgress: progress.update,
      });
    } finally {
      progress.end();
    }
    const jsonPath = join(out, "shift.json");
    const htmlPath = join(out, "report.html");
    await writeFile(jsonPath, `${JSON.stringify(report)}\n`);
    await writeFile(htmlPath, renderReportHtml(report));
    io.stdout.write(`${formatShiftSummary(report.summary)}\n`);
    io.stdout.write(`${formatChatAnswerStyle(summarizeChatAnswerStyle(report.prompts))}\n`);
    if (config.published !== undefined) io.stdout.write(`${formatPublishedComparison(config.published, report.summary.zeroShot.overall, report.summary.urial.overall)}\n`);
    io.stdout.write(`wrote ${jsonPath} and ${htmlPath}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ShiftInputError || error instanceof CatalogError || error instanceof ModelLoadError) return fail(error.message);
    if (error instanceof ChatTemplateError) return fail(error.message);
    return fail(error instanceof Error ? error.message.split("\n")[0]! : String(error));
  } finally {
    await runtime?.dispose();
  }
}

/** `@FILE` reads the template from a file (one trailing newline dropped); anything else is the template itself. */
async function readChatTemplate(value: string | undefined): Promise<string | undefined> {
  if (value === undefined || !value.startsWith("@")) return value;
  const file = value.slice(1);
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    throw new ShiftInputError(`--chat-template ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
