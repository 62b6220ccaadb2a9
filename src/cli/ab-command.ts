/**
 * @module cli/ab-command
 * `urial ab`: checks everything that can be checked without a model (flags,
 * suite, catalog, variants, judge), then runs or resumes the offline A/B
 * test — answers through the in-process server pipeline (the engine starts
 * only when an answer is not cached), judgements from the judge (connected
 * only when one is not cached) — and writes DIR/results.json, report.md and
 * report.html. `urial ab evolve` and `urial ab calibrate` are dispatched from
 * here. Exit codes: 0 done (every gate passed), 1 bad input, model or judge,
 * 2 bad flag, 3 more answers or judgements failed than `--max-failures`
 * allows, 4 a candidate missed `--fail-below` (see `ab/ab-gates`); the
 * reports are written in every case from 0 to 4 where the run finished.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AbAnswer, AbVariant } from "../ab/offline/ab-results.js";
import { AnswerFailedError, answerVariant, UnknownVariantError, type AnswerRequest } from "../ab/offline/answer-variant.js";
import type { AnswerDeps } from "../answer/answer-deps.js";
import { PrefixTokenCache } from "../answer/prefix-token-cache.js";
import { buildAbResults } from "../ab/offline/build-ab-results.js";
import { checkAbGates } from "../ab/offline/ab-gates.js";
import { formatAbSummary } from "../ab/report/format-ab.js";
import { JudgeUnavailableError, type JudgeBackend } from "../ab/judge/judge-backend.js";
import { JsonlCache } from "../ab/offline/jsonl-cache.js";
import { renderAbReportHtml } from "../ab/report/render-ab-report-html.js";
import { renderAbReportMarkdown } from "../ab/report/render-ab-report-md.js";
import { runAb, type StoredJudgement } from "../ab/offline/run-ab.js";
import { CatalogError, loadCatalog } from "../catalog/load-catalog.js";
import { abHelp, abOptions, checkAbOption, parseAbConfig } from "../config/ab-config.js";
import { readCommandOptions } from "./apply-config-file.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import type { Engine } from "../engine/engine.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { fingerprintModelFile, nodeLlamaCppVersion } from "../engine/model-fingerprint.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { ChatTemplateError } from "../engine/scoring-model.js";
import { DomainError } from "../errors/domain-error.js";
import { resolveChatModel } from "../answer/model-ids.js";
import { readSuite, SuiteError } from "../suite/read-suite.js";
import { runAbCalibrateCommand } from "./ab-calibrate-command.js";
import { runAbEvolveCommand } from "./ab-evolve-command.js";
import { createAbProgress } from "./ab-progress.js";
import { resolveModelOption } from "./resolve-model-option.js";
import { judgeOptionFrom, openJudge } from "./start-judge.js";
import type { CommandIo } from "./command-io.js";

/** A problem with the command's input, reported in one line. */
export class AbInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AbInputError";
  }
}

const defaultIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Runs `urial ab [evolve|calibrate]`; resolves with the exit code. */
export async function runAbCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = defaultIo): Promise<number> {
  if (argv[0] === "evolve") return runAbEvolveCommand(argv.slice(1), env, io);
  if (argv[0] === "calibrate") return runAbCalibrateCommand(argv.slice(1), env, io);
  // A promptfoo-style run file: suite, variants (a list), judge, sampling, output, as keys of --config.
  const table = { ...abOptions, variants: { ...abOptions.variants, multiple: true } };
  const parsed = await readCommandOptions({ command: "ab", table: table, check: checkAbOption, parse: parseAbConfig, help: () => abHelp("ab") }, argv, env, io);
  if (typeof parsed === "number") return parsed;
  const config = parsed.config;
  const log = (message: string) => io.stderr.write(`[urial] ${message}\n`);
  let engine: Engine | undefined;
  let closeJudge: (() => Promise<void>) | undefined;
  try {
    // Everything that can be checked without the model comes first.
    const allItems = await readSuite(config.suite);
    const suite = config.limit === undefined ? allItems : allItems.slice(0, config.limit);
    const catalog = await loadCatalog({ exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars });
    const variants: AbVariant[] = config.variants.map((id) => {
      try {
        const set = resolveChatModel(catalog, id);
        return { id, set: set.name, version: set.version, hash: set.hash };
      } catch (error) {
        throw new AbInputError(`--variants: ${error instanceof DomainError ? error.message : String(error)}`);
      }
    });
    const out = resolve(config.out);
    await mkdir(join(out, "cache"), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new AbInputError(`${out}: cannot create the output folder (${error.code ?? error.message})`);
    });
    const threads = config.threads;
    const models = { modelsDir: config.modelsDir, env, output: io.stderr };
    const modelPath = await resolveModelOption(config.model, models);
    const modelIdentity = `${await fingerprintModelFile(modelPath, `node-llama-cpp ${nodeLlamaCppVersion()}`)} context ${config.contextSize ?? "auto"} gpu ${config.gpu}`;
    let judgeBackend: JudgeBackend | undefined;
    const judge = await openJudge({ ...judgeOptionFrom(config, config.judge, config.judgeModel, models), onLog: log });
    closeJudge = () => judge.close();
    const answers = await JsonlCache.open<AbAnswer>(join(out, "cache", "answers.jsonl"));
    const judgements = await JsonlCache.open<StoredJudgement>(join(out, "cache", "judgements.jsonl"));

    // The model loads on the first answer the cache does not have.
    let deps: AnswerDeps | undefined;
    const prefixTokens = new PrefixTokenCache();
    const generate = async (input: AnswerRequest) => {
      if (deps === undefined) {
        log(`loading ${modelPath}`);
        const started = await startLlamaEngine({
          modelPath,
          threads,
          batchThreads: config.batchThreads,
          maxThreads: physicalCoreCount(),
          gpu: config.gpu,
          ...(config.contextSize !== undefined ? { contextSize: config.contextSize } : {}),
          parallel: 1,
          maxQueue: 0,
        });
        engine = started;
        deps = { engine: () => started, catalog, systemMessageMode: "append", limits: { maxTokens: Math.max(config.maxTokens, 1) } };
      }
      return answerVariant(deps, input, { prefixTokens });
    };

    log(
      `${variants.map((variant) => `${variant.id} (${variant.set}@${variant.version})`).join(" vs ")} on ${suite.length} prompts × ${config.samples} sample${config.samples === 1 ? "" : "s"}; judge ${judge.description.kind === "remote" ? `${judge.description.model} at ${judge.description.url}` : judge.description.model}`,
    );
    const progress = createAbProgress(io.stderr);
    let outcome;
    try {
      outcome = await runAb({
        suite,
        variants,
        samples: config.samples,
        seed: config.seed,
        temperature: config.temperature,
        maxTokens: config.maxTokens,
        modelIdentity,
        generate,
        judge: { identity: judge.identity, connect: async () => (judgeBackend = await judge.connect()) },
        answers,
        judgements,
        judgeRetries: config.judgeRetries,
        judgeParallel: config.judgeParallel ?? (config.judge === "local" ? 1 : 4),
        ...(config.judgeMaxTokens !== undefined ? { judgeMaxTokens: config.judgeMaxTokens } : {}),
        onProgress: progress.update,
      });
    } finally {
      progress.end();
      await answers.flush();
      await judgements.flush();
    }
    const results = buildAbResults({
      outcome,
      variants,
      model: { path: modelPath, identity: modelIdentity },
      judge: { ...judge.description, output: judgeBackend?.outputConstraint ?? "untried" },
      settings: {
        suite: config.suite,
        samples: config.samples,
        seed: config.seed,
        temperature: config.temperature,
        maxTokens: config.maxTokens,
        judgeRetries: config.judgeRetries,
        bootstrap: { resamples: config.bootstrap, seed: config.seed },
        informative: config.informative ?? null,
      },
    });
    results.gates = checkAbGates(results, { maxFailures: config.maxFailures, ...(config.failBelow !== undefined ? { failBelow: config.failBelow } : {}) });
    const files = [
      ["results.json", `${JSON.stringify(results, null, 1)}\n`],
      ["report.md", renderAbReportMarkdown(results)],
      ["report.html", renderAbReportHtml(results)],
    ];
    if (config.informative !== undefined) {
      const byId = new Map(suite.map((item) => [item.id, item]));
      const lines = results.informative.map((entry) => {
        const item = byId.get(entry.id)!;
        return JSON.stringify({
          id: item.id,
          category: item.category ?? "uncategorized",
          ...(item.messages ? { messages: item.messages } : { query: item.query }),
          informativeness: entry.informativeness,
        });
      });
      files.push(["informative.jsonl", lines.map((line) => `${line}\n`).join("")]);
    }
    for (const [name, text] of files) {
      // Written aside and renamed, so a reader never sees half a file.
      await writeFile(join(out, `${name}.partial`), text!);
      await rename(join(out, `${name}.partial`), join(out, name!));
    }
    const { work } = outcome;
    io.stdout.write(`${formatAbSummary(results)}\n`);
    io.stdout.write(
      `work: ${work.generated} answers generated, ${work.answersCached} cached; ${work.judgeCalls} judgements asked, ${work.judgementsCached} cached\nwrote ${files.map(([name]) => join(out, name!)).join(", ")}\n`,
    );
    io.stdout.write(`${results.gates.lines.join("\n")}\n`);
    if (results.gates.exitCode !== 0)
      io.stderr.write(
        `urial ab: exit ${results.gates.exitCode}: ${results.gates.exitCode === 3 ? "too many answers or judgements failed (--max-failures)" : "a candidate's win rate is below --fail-below"}\n`,
      );
    return results.gates.exitCode;
  } catch (error) {
    const known = [AbInputError, SuiteError, CatalogError, ModelLoadError, JudgeUnavailableError, UnknownVariantError, ChatTemplateError, AnswerFailedError];
    if (known.some((kind) => error instanceof kind)) {
      const resumable = error instanceof JudgeUnavailableError || error instanceof AnswerFailedError;
      io.stderr.write(`urial ab: ${(error as Error).message}${resumable ? " (the work done so far is cached; run the same command again to resume)" : ""}\n`);
      return 1;
    }
    throw error;
  } finally {
    await closeJudge?.();
    await engine?.dispose();
  }
}
