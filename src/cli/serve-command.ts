/**
 * @module cli/serve-command
 * `urial serve`: read the config, load the catalog, start listening at once
 * (`/health` says "loading"), load the model, then serve until SIGTERM/SIGINT.
 */
import { serve, type ServerType } from "@hono/node-server";
import { loadCatalog, CatalogError } from "../catalog/load-catalog.js";
import { watchCatalog } from "../catalog/watch-catalog.js";
import { physicalCoreCount } from "../config/physical-core-count.js";
import { parseServeConfig, serveHelp } from "../config/serve-config.js";
import type { Engine } from "../engine/engine.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { checkModelFile, ModelLoadError } from "../engine/model-file-check.js";
import { ChatTemplateError, type ScoringRuntime } from "../engine/scoring-model.js";
import { ShiftInputError } from "../shift/shift-input-error.js";
import { createApp } from "../server/app.js";
import type { ShiftAnalyser } from "../shift/create-shift-analyser.js";
import { startShiftAnalyser } from "./start-shift-analyser.js";

/** Runs the server; resolves with the process exit code. */
export async function runServeCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseServeConfig(argv, env);
  if (!parsed.ok) {
    process.stderr.write(`urial serve: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${serveHelp()}\n`);
    return 0;
  }
  const config = parsed.config;
  const log = (message: string) => process.stderr.write(`[urial] ${message}\n`);

  const catalogLocation = { exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars };
  let watcher;
  try {
    watcher = watchCatalog(catalogLocation, await loadCatalog(catalogLocation), {
      onReload: (outcome) =>
        log(
          outcome.ok
            ? `exemplars reloaded: ${[...outcome.catalog.sets.values()].map((set) => `${set.name}@${set.version} (${set.hash})`).join(", ")}`
            : `exemplars not reloaded, keeping the last good version: ${outcome.error.message}`,
        ),
    });
  } catch (error) {
    if (error instanceof CatalogError) {
      process.stderr.write(`urial serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  try {
    await checkModelFile(config.model);
  } catch (error) {
    if (error instanceof ModelLoadError) {
      process.stderr.write(`urial serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const catalog = watcher.catalog;
  let engine: Engine | undefined;
  let shiftAnalyser: ShiftAnalyser | undefined;
  let shiftRuntime: ScoringRuntime | undefined;
  const app = createApp({
    engine: () => engine,
    ...(config.chatModel !== undefined ? { shift: () => shiftAnalyser } : {}),
    catalog,
    systemMessageMode: config.systemMessage,
    maxBodyBytes: config.maxBodyBytes,
    onServerError: (requestId, error) => log(`request ${requestId} failed: ${error instanceof Error ? error.message : String(error)}`),
  });

  let server: ServerType;
  try {
    server = await listen(app.fetch, config.host, config.port);
  } catch (error) {
    process.stderr.write(`urial serve: cannot listen on ${config.host}:${config.port} (${error instanceof Error ? error.message : String(error)})\n`);
    return 1;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log(`listening on http://${config.host}:${port}/v1 (loading the model; /health answers 503 until it is ready)`);

  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down`);
      server.close();
      watcher.close();
      void Promise.all([engine?.dispose(), shiftRuntime?.dispose()]).finally(() => resolve(0));
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });

  const threads = config.threads ?? physicalCoreCount();
  const progress = loadProgressReporter(config.model);
  const started = Date.now();
  try {
    const loaded = await startLlamaEngine({
      modelPath: config.model,
      threads,
      gpu: config.gpu,
      gpuLayers: config.gpuLayers,
      contextSize: config.contextSize,
      prefixStates: { dir: config.prefixCacheDir, maxBytes: config.prefixCacheMaxBytes },
      parallel: config.parallel,
      maxQueue: config.maxQueue,
      onLoadProgress: progress.update,
      onNotice: log,
      onLog: (level, message) => {
        if (level === "error") log(`llama.cpp: ${message}`);
      },
    });
    progress.done();
    if (stopping) {
      await loaded.dispose();
      return stopped;
    }
    engine = loaded;
    const { info } = loaded;
    log(
      `model ${info.modelName} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: context ${info.contextSize} tokens × ${info.parallel} sequences, ${info.threads} threads, gpu ${info.gpu === false ? "off" : `${info.gpu} (${info.gpuLayers} layers)`}, exemplars '${catalog.defaultSet.name}'`,
    );
    if (info.hasChatTemplate) log("note: this GGUF has a chat template, so it is probably an instruction-tuned model; URIAL is meant for untuned base models");
    if (config.chatModel !== undefined) {
      log(`loading ${config.chatModel} and a scoring copy of the base model for POST /v1/shift (503 until ready)`);
      const shift = await startShiftAnalyser({ baseModel: config.model, chatModel: config.chatModel, threads, gpu: config.gpu, contextSize: config.contextSize }).catch(async (error: unknown) => {
        engine = undefined;
        await loaded.dispose();
        throw error;
      });
      if (stopping) {
        await shift.runtime.dispose();
        return stopped;
      }
      shiftRuntime = shift.runtime;
      shiftAnalyser = shift.analyser;
      log(`POST /v1/shift ready: chat model ${shift.analyser.chat.name}`);
    }
  } catch (error) {
    progress.done();
    server.close();
    watcher.close();
    if (error instanceof ShiftInputError || error instanceof ChatTemplateError) {
      process.stderr.write(`urial serve: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ModelLoadError) {
      process.stderr.write(`urial serve: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`urial serve: ${config.model}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
    return 1;
  }
  return stopped;
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}

/** A percentage that updates in place on a TTY; one line otherwise. */
function loadProgressReporter(modelPath: string) {
  const tty = process.stderr.isTTY === true;
  let last = -1;
  if (!tty) process.stderr.write(`[urial] loading ${modelPath}\n`);
  return {
    update(fraction: number) {
      if (!tty) return;
      const percent = Math.floor(fraction * 100);
      if (percent === last) return;
      last = percent;
      process.stderr.write(`\r[urial] loading ${modelPath} ${String(percent).padStart(3)}%`);
    },
    done() {
      if (tty && last >= 0) process.stderr.write("\n");
    },
  };
}
