/**
 * @module cli/generate-command
 * `urial generate --model PATH --suite FILE --model-id urial/SET --out FILE.jsonl`:
 * answers every query of a suite through the answer pipeline itself
 * (`answer/answer-chat`, in process, no HTTP) and writes an SFT dataset in OpenAI's fine-tuning
 * chat format, one `{"messages":[user, assistant]}` object per line.
 * Options come from `config/generate-config`, with `--config FILE` and
 * `--print-config` as for `chat` (the flag only: URIAL_CONFIG names serve's
 * file).
 */
import { rename, writeFile } from "node:fs/promises";
import { CatalogError, loadCatalog } from "../catalog/load-catalog.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { checkGenerateOption, generateHelp, generateOptions, parseGenerateConfig } from "../config/generate-config.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { answerChat, type ChatAnswerChoice } from "../answer/answer-chat.js";
import type { AnswerDeps } from "../answer/answer-deps.js";
import { PrefixTokenCache } from "../answer/prefix-token-cache.js";
import { DomainError } from "../errors/domain-error.js";
import { toErrorResponse } from "../openai/api-error.js";
import { chatRequestSchema } from "../openai/chat-request-schema.js";
import { parseRequest } from "../openai/parse-request.js";
import { readSuite, SuiteError } from "../suite/read-suite.js";
import { readCommandOptions } from "./apply-config-file.js";
import { processIo, type CommandIo } from "./command-io.js";
import { resolveModelOption } from "./resolve-model-option.js";

/** Runs `urial generate`; resolves with the exit code (0 written, 1 bad input or nothing written, 2 bad flag). */
export async function runGenerateCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo): Promise<number> {
  const parsed = await readCommandOptions({ command: "generate", table: generateOptions, check: checkGenerateOption, parse: parseGenerateConfig, help: generateHelp }, argv, env, io);
  if (typeof parsed === "number") return parsed;
  const config = parsed.config;
  try {
    const suite = await readSuite(config.suite);
    const catalog = await loadCatalog({ exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars });
    const localModel = await resolveModelOption(config.model, { modelsDir: config.modelsDir, env, output: io.stderr });
    const engine = await startLlamaEngine({
      modelPath: localModel,
      threads: config.threads,
      batchThreads: config.batchThreads,
      maxThreads: physicalCoreCount(),
      gpu: config.gpu,
      contextSize: config.contextSize,
      parallel: 1,
      maxQueue: 0,
    });
    try {
      const deps: AnswerDeps = { engine: () => engine, catalog, systemMessageMode: "append" };
      const prefixTokens = new PrefixTokenCache();
      const modelId = config.modelId;
      const lines: string[] = [];
      let failed = 0;
      for (const [index, item] of suite.entries()) {
        let choice: ChatAnswerChoice;
        try {
          const request = parseRequest(chatRequestSchema, {
            model: modelId,
            messages: [{ role: "user", content: item.query }],
            max_tokens: config.maxTokens,
            temperature: config.temperature,
            seed: config.seed,
          });
          choice = (await answerChat(deps, request, { prefixTokens })).choices[0]!;
        } catch (error) {
          failed += 1;
          io.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${toErrorResponse(error).body.error.message}\n`);
          // A model id this server does not have fails every query alike.
          if (error instanceof DomainError && error.kind === "unknown") return 1;
          continue;
        }
        if (choice.content.trim().length === 0) {
          failed += 1;
          io.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: empty answer, skipped\n`);
          continue;
        }
        lines.push(
          JSON.stringify({
            messages: [
              { role: "user", content: item.query },
              { role: "assistant", content: choice.content },
            ],
          }),
        );
        io.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${choice.content.length} chars, finish ${choice.finishReason}\n`);
      }
      const temporary = `${config.out}.partial`;
      await writeFile(temporary, lines.map((line) => `${line}\n`).join(""));
      await rename(temporary, config.out);
      io.stderr.write(`wrote ${lines.length} examples to ${config.out}${failed > 0 ? ` (${failed} skipped)` : ""}\n`);
      return lines.length > 0 ? 0 : 1;
    } finally {
      await engine.dispose();
    }
  } catch (error) {
    if (error instanceof SuiteError || error instanceof CatalogError || error instanceof ModelLoadError) {
      io.stderr.write(`urial generate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
