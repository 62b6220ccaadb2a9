/**
 * @module cli/generate-command
 * `urial generate --model PATH --suite FILE --model-id urial/SET --out FILE.jsonl`:
 * answers every query of a suite through the same pipeline the server uses
 * (in process, no network) and writes an SFT dataset in OpenAI's fine-tuning
 * chat format, one `{"messages":[user, assistant]}` object per line.
 */
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CatalogError, loadCatalog } from "../catalog/load-catalog.js";
import { physicalCoreCount } from "../config/physical-core-count.js";
import { packageRoot } from "../config/serve-config.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { ModelLoadError } from "../engine/model-file-check.js";
import { createApp } from "../server/app.js";
import { defaultModelsDir } from "../models/models-dir.js";
import { readSuite, SuiteError } from "../suite/read-suite.js";
import { resolveModelOption } from "./resolve-model-option.js";

const help = `Usage: urial generate --model PATH --suite FILE --out FILE.jsonl [options]

Answer every query of a suite with an exemplar set and write the pairs as an
SFT dataset (OpenAI fine-tuning chat JSONL: {"messages":[user, assistant]}).

  --model MODEL             base GGUF: a path, a cached name, hf:<user>/<repo>/<file>.gguf,
                            hf:<user>/<repo>:<quant> or an https URL (env URIAL_MODEL)
  --models-dir DIR          cache of pulled models (env URIAL_MODELS_DIR)
  --suite FILE              .jsonl (strings or {"id","query"}) or text, one query per line
  --out FILE                where to write the JSONL
  --model-id ID             urial or urial/<set> (default: urial)
  --max-tokens N            per answer (default 512)
  --temperature T           default 0 (greedy)
  --seed N                  sampling seed (default 1)
  --threads N|auto          decode threads (env URIAL_THREADS; default auto: a few counts measured, 3 s budget)
  --batch-threads N|auto    prefill threads (env URIAL_BATCH_THREADS; default auto: every physical core)
  --context-size N          tokens per sequence
  --exemplars NAME          default set (model id 'urial'; default urial-help)
  --exemplars-dir DIR       --system-prompts-dir DIR    as for 'urial serve'
  -h, --help`;

export async function runGenerateCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        model: { type: "string" },
        "models-dir": { type: "string" },
        suite: { type: "string" },
        out: { type: "string" },
        "model-id": { type: "string" },
        "max-tokens": { type: "string" },
        temperature: { type: "string" },
        seed: { type: "string" },
        threads: { type: "string" },
        "batch-threads": { type: "string" },
        "context-size": { type: "string" },
        exemplars: { type: "string" },
        "exemplars-dir": { type: "string" },
        "system-prompts-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`urial generate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const modelPath = values.model ?? env.URIAL_MODEL;
  const missing = [modelPath === undefined ? "--model" : "", values.suite === undefined ? "--suite" : "", values.out === undefined ? "--out" : ""].filter(Boolean);
  if (missing.length > 0) {
    process.stderr.write(`urial generate: missing ${missing.join(", ")}. Run 'urial generate --help'.\n`);
    return 2;
  }
  const number = (flag: string, raw: string | undefined, fallback: number | undefined, integer: boolean) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < 0) throw new UsageError(`--${flag} must be a ${integer ? "whole " : ""}number ≥ 0; got '${raw}'`);
    return value;
  };
  const threadOption = (flag: string, raw: string | undefined): number | "auto" => {
    if (raw === undefined || raw === "" || raw === "auto") return "auto";
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1024) throw new UsageError(`--${flag} must be auto or a whole number from 1 to 1024; got '${raw}'`);
    return Number(raw);
  };
  let settings;
  try {
    settings = {
      maxTokens: number("max-tokens", values["max-tokens"], 512, true)!,
      temperature: number("temperature", values.temperature, 0, false)!,
      seed: number("seed", values.seed, 1, true)!,
      threads: threadOption("threads", values.threads ?? env.URIAL_THREADS),
      batchThreads: threadOption("batch-threads", values["batch-threads"] ?? env.URIAL_BATCH_THREADS),
      contextSize: number("context-size", values["context-size"], undefined, true),
    };
  } catch (error) {
    process.stderr.write(`urial generate: ${(error as Error).message}\n`);
    return 2;
  }

  try {
    const suite = await readSuite(values.suite!);
    const catalog = await loadCatalog({
      exemplarsDir: values["exemplars-dir"] ?? env.URIAL_EXEMPLARS_DIR ?? join(packageRoot, "exemplars"),
      systemPromptsDir: values["system-prompts-dir"] ?? env.URIAL_SYSTEM_PROMPTS_DIR ?? join(packageRoot, "system-prompts"),
      defaultSet: values.exemplars ?? env.URIAL_EXEMPLARS ?? "urial-help",
    });
    const localModel = await resolveModelOption(modelPath!, { modelsDir: values["models-dir"] ?? defaultModelsDir(env), env, output: process.stderr });
    const engine = await startLlamaEngine({
      modelPath: localModel,
      threads: settings.threads,
      batchThreads: settings.batchThreads,
      maxThreads: physicalCoreCount(),
      contextSize: settings.contextSize,
      parallel: 1,
      maxQueue: 0,
    });
    try {
      const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 16 * 1024 * 1024 });
      const modelId = values["model-id"] ?? "urial";
      const lines: string[] = [];
      let failed = 0;
      for (const [index, item] of suite.entries()) {
        const response = await app.request("/v1/chat/completions", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: modelId,
            messages: [{ role: "user", content: item.query }],
            max_tokens: settings.maxTokens,
            temperature: settings.temperature,
            seed: settings.seed,
          }),
        });
        const body = (await response.json()) as {
          error?: { message: string };
          choices?: { message: { content: string }; finish_reason: string }[];
        };
        const choice = body.choices?.[0];
        if (!response.ok || !choice) {
          failed += 1;
          process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${body.error?.message ?? `HTTP ${response.status}`}\n`);
          if (response.status === 404) return 1;
          continue;
        }
        if (choice.message.content.trim().length === 0) {
          failed += 1;
          process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: empty answer, skipped\n`);
          continue;
        }
        lines.push(JSON.stringify({ messages: [{ role: "user", content: item.query }, { role: "assistant", content: choice.message.content }] }));
        process.stderr.write(`[${index + 1}/${suite.length}] ${item.id}: ${choice.message.content.length} chars, finish ${choice.finish_reason}\n`);
      }
      const temporary = `${values.out!}.partial`;
      await writeFile(temporary, lines.map((line) => `${line}\n`).join(""));
      await rename(temporary, values.out!);
      process.stderr.write(`wrote ${lines.length} examples to ${values.out!}${failed > 0 ? ` (${failed} skipped)` : ""}\n`);
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

class UsageError extends Error {}
