/**
 * @module cli/exemplars-search-command
 * `urial exemplars search`: choose K exemplars from a pool by measurement and
 * write them as a servable exemplar set, with the search report beside it.
 * Arguments and I/O only; the search is `exemplar-search/`. Options come
 * from `config/exemplar-search-config`, with `--config FILE` and
 * `--print-config` as for `shift`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ExemplarSet } from "../catalog/catalog.js";
import { hashExemplarSet } from "../catalog/catalog.js";
import { exemplarSetFileSchema, systemPromptFileSchema } from "../catalog/catalog-schema.js";
import { lintExemplarSet } from "../catalog/lint-exemplar-set.js";
import { formatProblem } from "../catalog/load-catalog.js";
import { checkExemplarSearchOption, exemplarSearchHelp, exemplarSearchOptions, parseExemplarSearchConfig, type ExemplarSearchConfig } from "../config/exemplar-search-config.js";
import { startScoringRuntime } from "../engine/llama-scoring-runtime.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { fingerprintModelFile, nodeLlamaCppVersion } from "../engine/model-fingerprint.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { ChatTemplateError, type ScoringRuntime } from "../engine/scoring-model.js";
import { buildExemplarSetFile } from "../exemplar-search/build-exemplar-set-file.js";
import { poolFromChat } from "../exemplar-search/prepare-held-out.js";
import { checkOneTemplate, readPool, type PoolCandidate } from "../exemplar-search/read-pool.js";
import { renderSearchReportHtml, formatSearchSummary } from "../exemplar-search/render-search-report-html.js";
import { runExemplarSearch } from "../exemplar-search/run-exemplar-search.js";
import { openSearchCache } from "../exemplar-search/search-cache.js";
import { SearchInputError } from "../exemplar-search/search-input-error.js";
import { checkSameTokenizer } from "../shift/check-same-tokenizer.js";
import { readPrompts } from "../shift/read-prompts.js";
import { ShiftInputError } from "../shift/shift-input-error.js";
import { readCommandOptions } from "./apply-config-file.js";
import { processIo, type CommandIo } from "./command-io.js";
import { resolveModelOption } from "./resolve-model-option.js";
import { createSearchProgress } from "./search-progress.js";

/** Runs `urial exemplars search` (`argv` after `search`); returns the exit code. */
export async function runExemplarsSearchCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CommandIo = processIo): Promise<number> {
  const parsed = await readCommandOptions(
    { command: "exemplars search", table: exemplarSearchOptions, check: checkExemplarSearchOption, parse: parseExemplarSearchConfig, help: exemplarSearchHelp },
    argv,
    env,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const config = parsed.config;
  const fail = (message: string) => {
    io.stderr.write(`urial exemplars search: ${message}\n`);
    return 1;
  };
  let runtime: ScoringRuntime | undefined;
  try {
    const systemPrompt = await readSystemPrompt(config);
    const prompts = await readPrompts(config.queries);
    const filePool = config.pool === undefined ? [] : await readPool(config.pool);
    const chatQueries = config.poolFromChat === undefined ? [] : await readPrompts(config.poolFromChat);
    const reportDir = resolve(config.reportDir);
    await mkdir(reportDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new SearchInputError(`--report-dir ${reportDir}: cannot create the folder (${error.code ?? error.message})`);
    });
    await mkdir(dirname(resolve(config.out)), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new SearchInputError(`--out ${config.out}: cannot create its folder (${error.code ?? error.message})`);
    });

    const models = { modelsDir: config.modelsDir, env, output: io.stderr };
    const basePath = await resolveModelOption(config.base, models);
    const chatPath = await resolveModelOption(config.chat, models);
    const engine = `node-llama-cpp ${nodeLlamaCppVersion()}`;
    const identity = {
      base: `${await fingerprintModelFile(basePath, engine)} context ${config.contextSize ?? "auto"}`,
      chat: `${await fingerprintModelFile(chatPath, engine)} context ${config.contextSize ?? "auto"} template ${config.chatTemplate ?? "gguf"}`,
    };
    const chatTemplate = await readChatTemplate(config.chatTemplate);
    runtime = await startScoringRuntime({
      threads: config.threads,
      batchThreads: config.batchThreads,
      maxThreads: physicalCoreCount(),
      gpu: config.gpu,
      onLog: (level, message) => {
        if (level === "error") io.stderr.write(`[urial] llama.cpp: ${message}\n`);
      },
    });
    const base = await runtime.loadModel({ modelPath: basePath, contextSize: config.contextSize, lanes: 1 });
    const chat = await runtime.loadModel({ modelPath: chatPath, contextSize: config.contextSize, lanes: 1, chatTemplate });
    checkSameTokenizer(base, chat);
    if (chat.info.chatTemplate === null) {
      throw new SearchInputError(
        `the chat model (${chatPath}) has no chat template in its GGUF metadata; give one with --chat-template (a Jinja template, or a layout such as 'User: {query}\\nAssistant:')`,
      );
    }
    const cache = await openSearchCache(config.cache === "on" ? join(reportDir, "cache.jsonl") : null);
    if (cache.resumed > 0) io.stderr.write(`resuming: ${cache.resumed} cached entries in ${join(reportDir, "cache.jsonl")}\n`);
    const chatAnswers = { maxTokens: config.maxTokens, temperature: config.temperature, seed: config.temperature > 0 ? config.seed : undefined };

    let pool: PoolCandidate[] = filePool;
    if (chatQueries.length > 0) {
      io.stderr.write(`pool: the chat model answers ${chatQueries.length} quer${chatQueries.length === 1 ? "y" : "ies"} from ${config.poolFromChat}\n`);
      const generated = await poolFromChat(chat, chatQueries, config.poolFromChat!, { ...chatAnswers, maxTokens: config.poolMaxTokens, identity: identity.chat }, cache, (message) =>
        io.stderr.write(`warning: ${message}\n`),
      );
      const taken = new Set(filePool.map((candidate) => candidate.id));
      for (const candidate of generated) {
        if (taken.has(candidate.id)) throw new SearchInputError(`${candidate.where}: pool id '${candidate.id}' is also used in ${config.pool}; rename one`);
      }
      pool = [...filePool, ...generated];
      checkOneTemplate(pool);
    }

    const progress = createSearchProgress(io.stderr, config.objective);
    let outcome;
    try {
      outcome = await runExemplarSearch({
        base,
        chat,
        pool,
        prompts,
        systemPrompt,
        k: config.k,
        objective: config.objective,
        seed: config.seed,
        maxPrefixTokens: config.maxPrefixTokens,
        informative: config.informative,
        maxEvaluations: config.maxEvaluations,
        swapPasses: config.swapPasses,
        randomSets: config.randomSets,
        chatAnswers,
        identity,
        cache,
        files: { pool: config.pool ?? null, poolFromChat: config.poolFromChat ?? null, queries: config.queries },
        onProgress: progress.update,
      });
    } finally {
      progress.end();
    }
    const { report, chosen } = outcome;

    // The set file, checked as `urial exemplars lint --model BASE` would check it before it is written.
    const file = buildExemplarSetFile({ name: config.name, systemPrompt: systemPrompt.name, chosen, report });
    const parsedSet = exemplarSetFileSchema.parse(file);
    const set: Omit<ExemplarSet, "hash" | "file"> = {
      name: parsedSet.name,
      version: parsedSet.version,
      description: parsedSet.description,
      template: parsedSet.template ?? "urial",
      systemPromptName: systemPrompt.name,
      systemPrompt: systemPrompt.text,
      exemplars: parsedSet.exemplars,
    };
    const longestAnswer = Math.max(1, ...report.queries.map((query) => query.scoredTokens));
    const lint = lintExemplarSet(
      { ...set, hash: hashExemplarSet(set), file: config.out },
      { tokenize: (text) => base.tokenize(text), contextSize: base.info.contextSize, answerTokens: longestAnswer },
    );
    for (const problem of lint.problems) io.stderr.write(`warning: ${formatProblem(problem)}\n`);

    const jsonPath = join(reportDir, "search.json");
    const htmlPath = join(reportDir, "report.html");
    await writeFile(config.out, `${JSON.stringify(file, null, 2)}\n`);
    await writeFile(jsonPath, `${JSON.stringify(report)}\n`);
    await writeFile(htmlPath, renderSearchReportHtml(report));
    for (const candidate of chosen) {
      if (candidate.styleProblems.length > 0) {
        io.stderr.write(`note: '${candidate.id}' does not follow URIAL's structured style (${candidate.styleProblems.join("; ")}); written with "style": "free"\n`);
      }
    }
    io.stdout.write(`${formatSearchSummary(report)}\n`);
    io.stdout.write(
      `wrote ${config.out} (${chosen.length} exemplars, prefix ${report.chosen.prefixTokens} tokens${lint.problems.length === 0 ? ", lint ok" : `, ${lint.problems.length} lint problem(s)`}), ${jsonPath} and ${htmlPath}\n`,
    );
    io.stdout.write(`serve it: put ${config.out} in the exemplars folder (and '${systemPrompt.name}' in the system prompts folder), then request model urial/${config.name}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SearchInputError || error instanceof ShiftInputError || error instanceof ModelLoadError || error instanceof ChatTemplateError) return fail(error.message);
    return fail(error instanceof Error ? error.message.split("\n")[0]! : String(error));
  } finally {
    await runtime?.dispose();
  }
}

async function readSystemPrompt(config: ExemplarSearchConfig): Promise<{ name: string; text: string }> {
  const file = join(config.systemPromptsDir, `${config.systemPrompt}.json`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SearchInputError(
      `--system-prompt ${config.systemPrompt}: ${code === "ENOENT" ? `no file ${file}` : `cannot read ${file} (${code ?? String(error)})`}; give --system-prompts-dir DIR or another --system-prompt NAME`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SearchInputError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = systemPromptFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SearchInputError(`${file}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  if (result.data.name !== config.systemPrompt) throw new SearchInputError(`${file}: name '${result.data.name}' must equal the file name '${config.systemPrompt}'`);
  return { name: result.data.name, text: result.data.text };
}

/** `@FILE` reads the template from a file (one trailing newline dropped); anything else is the template itself. */
async function readChatTemplate(value: string | undefined): Promise<string | undefined> {
  if (value === undefined || !value.startsWith("@")) return value;
  try {
    return (await readFile(value.slice(1), "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    throw new SearchInputError(`--chat-template ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
