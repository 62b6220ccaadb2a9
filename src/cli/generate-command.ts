/**
 * @module cli/generate-command
 * `urial generate --model PATH --suite FILE --model-id urial/SET --out FILE.jsonl`:
 * answers every query of a suite through the answer pipeline itself
 * (`answer/answer-chat`, in process, no HTTP) and writes an SFT dataset in OpenAI's fine-tuning
 * chat format, one `{"messages":[user, assistant]}` object per line.
 */
import { rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import { CatalogError, loadCatalog } from "../catalog/load-catalog.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { formatOptionsHelp, parseOptions, type OptionTable } from "../config/read-options.js";
import {
  contextSizeOption,
  exemplarsDirOption,
  exemplarsOption,
  gpuOption,
  gpuSchema,
  modelsDirOption,
  systemPromptsDirOption,
  threadsOption,
  batchThreadsOption,
  threadsSchema,
  wholeNumber,
} from "../config/shared-options.js";
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
import { resolveModelOption } from "./resolve-model-option.js";

/** The options of `urial generate`: the shared model, exemplar and engine options read the same variables as `urial serve`. */
export const generateOptions = {
  model: { flag: "model", env: "URIAL_MODEL", value: "MODEL", description: "base GGUF: a path, a cached name, hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https URL", required: true },
  modelsDir: modelsDirOption,
  suite: { flag: "suite", value: "FILE", description: '.jsonl (strings or {"id","query"}) or text, one query per line', required: true },
  out: { flag: "out", value: "FILE", description: "where to write the JSONL", required: true },
  modelId: { flag: "model-id", value: "ID", description: "urial or urial/<set>", default: "urial", defaultValue: "urial" },
  maxTokens: { flag: "max-tokens", value: "N", description: "per answer", default: "512", defaultValue: "512" },
  temperature: { flag: "temperature", value: "T", description: "sampling temperature; 0 is greedy", default: "0", defaultValue: "0" },
  seed: { flag: "seed", value: "N", description: "sampling seed", default: "1", defaultValue: "1" },
  threads: threadsOption,
  batchThreads: batchThreadsOption,
  gpu: gpuOption,
  contextSize: contextSizeOption,
  exemplars: exemplarsOption,
  exemplarsDir: exemplarsDirOption,
  systemPromptsDir: systemPromptsDirOption,
} as const satisfies OptionTable;

const generateSchema = z.object({
  model: z.string().min(1),
  modelsDir: z.string().min(1),
  suite: z.string().min(1),
  out: z.string().min(1),
  modelId: z.string().min(1),
  maxTokens: wholeNumber(0, 10_000_000),
  temperature: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(10, { error: "must be at most 10" }),
  seed: wholeNumber(0, 2 ** 31 - 1),
  threads: threadsSchema,
  batchThreads: threadsSchema,
  gpu: gpuSchema,
  contextSize: wholeNumber(16, 10_000_000).optional(),
  exemplars: z.string().min(1),
  exemplarsDir: z.string().min(1),
  systemPromptsDir: z.string().min(1),
});

export function generateHelp(): string {
  return [
    "Usage: urial generate --model PATH --suite FILE --out FILE.jsonl [options]",
    "",
    "Answer every query of a suite with an exemplar set and write the pairs as an",
    'SFT dataset (OpenAI fine-tuning chat JSONL: {"messages":[user, assistant]}).',
    "",
    "Options (each with a variable can also be set by it; the flag wins):",
    ...formatOptionsHelp(generateOptions),
  ].join("\n");
}

export async function runGenerateCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseOptions("generate", generateOptions, generateSchema, argv, env);
  if (!parsed.ok) {
    process.stderr.write(`urial generate: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${generateHelp()}\n`);
    return 0;
  }
  const config = parsed.config;
  try {
    const suite = await readSuite(config.suite);
    const catalog = await loadCatalog({ exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars });
    const localModel = await resolveModelOption(config.model, { modelsDir: config.modelsDir, env, output: process.stderr });
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
          process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${toErrorResponse(error).body.error.message}\n`);
          // A model id this server does not have fails every query alike.
          if (error instanceof DomainError && error.kind === "unknown") return 1;
          continue;
        }
        if (choice.content.trim().length === 0) {
          failed += 1;
          process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: empty answer, skipped\n`);
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
        process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${choice.content.length} chars, finish ${choice.finishReason}\n`);
      }
      const temporary = `${config.out}.partial`;
      await writeFile(temporary, lines.map((line) => `${line}\n`).join(""));
      await rename(temporary, config.out);
      process.stderr.write(`wrote ${lines.length} examples to ${config.out}${failed > 0 ? ` (${failed} skipped)` : ""}\n`);
      return lines.length > 0 ? 0 : 1;
    } finally {
      await engine.dispose();
    }
  } catch (error) {
    if (error instanceof SuiteError || error instanceof CatalogError || error instanceof ModelLoadError) {
      process.stderr.write(`urial generate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
