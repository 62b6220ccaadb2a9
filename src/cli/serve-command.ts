/**
 * @module cli/serve-command
 * `urial serve`: read the config, load the catalog, start listening at once
 * (`/health` says "loading"), load the model, then serve until SIGTERM/SIGINT.
 */
import { join } from "node:path";
import { packageRoot } from "../platform/package-root.js";
import { VotesLog } from "../votes/votes-log.js";
import { loadCatalog, CatalogError } from "../catalog/load-catalog.js";
import { watchCatalog, type CatalogWatcher } from "../catalog/watch-catalog.js";
import type { CatalogLocation } from "../catalog/load-catalog.js";
import { measureExemplarSets } from "./measure-exemplar-sets.js";
import { statusLine } from "./terminal-line.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { checkServeOption, parseServeConfig, serveHelp, serveOptions } from "../config/serve-config.js";
import { readCommandOptions } from "./apply-config-file.js";
import { processIo } from "./command-io.js";
import type { Engine } from "../engine/engine.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { ChatTemplateError, type ScoringRuntime } from "../engine/scoring-model.js";
import { ShiftInputError } from "../shift/shift-input-error.js";
import { createApp } from "../server/app.js";
import { defaultAllowedHosts } from "../server/middleware/browser-guard.js";
import { closeConnections, listen, type ListeningServer } from "../server/listen.js";
import type { ShiftAnalyser } from "../shift/create-shift-analyser.js";
import { resolveModelOption } from "./resolve-model-option.js";
import { startShiftAnalyser } from "./start-shift-analyser.js";
import { RequestTracker } from "../lifecycle/request-tracker.js";
import { shuttingDown } from "../openai/api-error.js";
import { parseUpstreamUrl, UpstreamUrlError } from "../engine/remote/upstream-url.js";
import { createRequestLogger } from "../telemetry/request-logger.js";
import { ServerMetrics } from "../telemetry/server-metrics.js";
import { connectRemoteEngine } from "./connect-remote-engine.js";
import { ApiKeyError, loadApiKeys } from "./load-api-keys.js";
import { ExperimentError } from "../ab/online/experiment-error.js";
import type { ExperimentRegistry } from "../ab/online/experiment-registry.js";
import { startExperiments } from "./start-experiments.js";

/** Runs the server; resolves with the process exit code. */
export async function runServeCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = await readCommandOptions({ command: "serve", table: serveOptions, check: checkServeOption, parse: parseServeConfig, help: serveHelp }, argv, env, processIo);
  if (typeof parsed === "number") return parsed;
  const config = parsed.config;
  const log = (message: string) => process.stderr.write(`[urial] ${message}\n`);
  let apiKeys: string[];
  try {
    for (const url of config.upstream ?? []) parseUpstreamUrl(url);
    apiKeys = await loadApiKeys(config.apiKey, config.apiKeysFile);
  } catch (error) {
    if (error instanceof ApiKeyError || error instanceof UpstreamUrlError) {
      process.stderr.write(`urial serve: ${error instanceof UpstreamUrlError ? `--upstream (or URIAL_UPSTREAM): ${error.message}` : error.message}\n`);
      return 2;
    }
    throw error;
  }

  // The start-up swap of a set that cannot fit reloads the catalog too; that reload is not news.
  let swappingSet = false;
  const catalogLocation = { exemplarsDir: config.exemplarsDir, systemPromptsDir: config.systemPromptsDir, defaultSet: config.exemplars };
  let watcher;
  try {
    watcher = watchCatalog(catalogLocation, await loadCatalog(catalogLocation), {
      onReload: (outcome) =>
        swappingSet ||
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

  // A remote engine (--upstream) has no local model to resolve.
  if (config.upstream === undefined) {
    try {
      // A path, a cached model's name, or an hf: URI / URL that is pulled into the models cache once (progress on stderr).
      if (parsed.defaultModel) log(`no --model given: serving the default base model ${config.model} (pass --model to serve your own)`);
      const models = { modelsDir: config.modelsDir, env, output: process.stderr };
      config.model = await resolveModelOption(config.model, models);
      if (config.chatModel !== undefined) config.chatModel = await resolveModelOption(config.chatModel, models);
    } catch (error) {
      if (error instanceof ModelLoadError) {
        process.stderr.write(`urial serve: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }

  const catalog = watcher.catalog;
  let experiments: ExperimentRegistry | undefined;
  if (config.experiments !== undefined) {
    try {
      experiments = await startExperiments({
        file: config.experiments,
        catalog,
        log: { path: config.experimentLog, maxBytes: config.experimentLogMaxBytes, keep: config.experimentLogFiles, text: config.experimentLogText },
        parallel: config.parallel,
        notice: log,
      });
    } catch (error) {
      if (error instanceof ExperimentError) {
        watcher.close();
        process.stderr.write(`urial serve: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  let engine: Engine | undefined;
  let shiftAnalyser: ShiftAnalyser | undefined;
  let shiftRuntime: ScoringRuntime | undefined;
  const tracker = new RequestTracker();
  const metrics = new ServerMetrics({ engine: () => engine, inFlight: () => tracker.inFlight, processMetrics: true });
  const logFormat = config.logFormat === "auto" ? (process.stdout.isTTY === true ? "pretty" : "json") : config.logFormat;
  const app = createApp({
    engine: () => engine,
    limits: {
      maxMessages: config.maxMessages,
      maxInputChars: config.maxInputChars,
      maxTokens: config.maxTokens,
      requestTimeoutMs: Math.round(config.requestTimeout * 1000),
      bodyTimeoutMs: Math.round(config.bodyTimeout * 1000),
    },
    apiKeys,
    ...(config.corsOrigin !== undefined ? { corsOrigins: config.corsOrigin } : {}),
    ...(() => {
      const allowedHosts = defaultAllowedHosts(config.host, config.allowedHost);
      return allowedHosts !== undefined ? { allowedHosts } : {};
    })(),
    tracker,
    metrics,
    onRequestDone: createRequestLogger({ format: logFormat, includePrompts: config.logPrompts, write: (line) => process.stdout.write(`${line}\n`) }),
    ...(config.chatModel !== undefined ? { shift: () => shiftAnalyser } : {}),
    ...(experiments !== undefined ? { experiments } : {}),
    catalog,
    votesLog: new VotesLog(config.votesLog),
    playgroundDir: join(packageRoot, "playground"),
    systemMessageMode: config.systemMessage,
    maxBodyBytes: config.maxBodyBytes,
    onServerError: (requestId, error) => log(`request ${requestId} failed: ${error instanceof Error ? error.message : String(error)}`),
  });

  let server: ListeningServer;
  try {
    server = await listen(app.fetch, config.host, config.port, {
      headersTimeoutMs: Math.round(config.headerTimeout * 1000),
      bodyTimeoutMs: Math.round(config.bodyTimeout * 1000),
      onConnectionError: (reason) => metrics.countConnectionError(reason),
    });
  } catch (error) {
    process.stderr.write(`urial serve: cannot listen on ${config.host}:${config.port} (${error instanceof Error ? error.message : String(error)})\n`);
    return 1;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log(
    `listening on http://${config.host}:${port}/v1 (${config.upstream === undefined ? "loading the model" : `connecting to ${config.upstream.join(", ")}`}; /health answers 503 until it is ready)${apiKeys.length > 0 ? `; ${apiKeys.length} API key${apiKeys.length === 1 ? "" : "s"} required on /v1` : ""}`,
  );

  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Graceful: stop accepting, let running requests finish up to the deadline, then stop the rest.
      log(`${signal}: shutting down (${tracker.inFlight} request${tracker.inFlight === 1 ? "" : "s"} in flight, up to ${config.shutdownTimeout} s to finish)`);
      // Resolves once every connection is closed; responses still being written get their bytes out first.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      watcher.close();
      void tracker
        .drain({ deadlineMs: config.shutdownTimeout * 1000, abortReason: shuttingDown })
        .then(async (result) => {
          if (result.finished + result.aborted + result.stoppedWaiting > 0) {
            log(`requests: ${result.finished} finished, ${result.stoppedWaiting} waiting (body or queue) answered 503 at once, ${result.aborted} stopped at the deadline`);
          }
          await closeConnections(server, closed, 2000);
        })
        .then(() => Promise.all([engine?.dispose(), shiftRuntime?.dispose()]))
        .finally(() => resolve(0));
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });

  if (config.upstream !== undefined) {
    const remote = await connectRemoteEngine({
      engine: {
        url: config.upstream,
        ...(config.upstreamModel !== undefined ? { model: config.upstreamModel } : {}),
        ...(config.upstreamApiKey !== undefined ? { apiKey: config.upstreamApiKey } : {}),
        ...(config.contextSize !== undefined ? { contextSize: config.contextSize } : {}),
        parallel: config.parallel,
        maxQueue: config.maxQueue,
        timeoutMs: Math.round(config.upstreamTimeout * 1000),
        healthIntervalMs: Math.round(config.upstreamHealthInterval * 1000),
        tokenizer: config.upstreamTokenizer,
        onNotice: log,
      },
      log,
      stopping: () => stopping,
    });
    if (remote !== undefined && stopping) await remote.dispose();
    else if (remote !== undefined) {
      engine = remote;
      log(`ready: generating on ${remote.info.upstream} (model '${remote.info.modelName}', ${remote.info.parallel} requests at once), exemplars '${catalog.defaultSet.name}'`);
    }
    return stopped;
  }

  const threads = config.threads;
  const progress = loadProgressReporter(config.model);
  const started = Date.now();
  try {
    const loaded = await startLlamaEngine({
      modelPath: config.model,
      threads,
      batchThreads: config.batchThreads,
      maxThreads: physicalCoreCount(),
      gpu: config.gpu,
      gpuLayers: config.gpuLayers,
      flashAttention: config.flashAttention === "auto" ? "auto" : config.flashAttention === "on",
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
    // Before the first request can pick 'urial': a default set too large for this context is swapped here.
    await fitExemplarSets(watcher, catalogLocation, loaded, { explicit: parsed.defaultExemplars !== true, maxTokens: config.maxTokens, log, swapping: (on) => (swappingSet = on) });
    engine = loaded;
    const { info } = loaded;
    log(
      `model ${info.modelName} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: context ${info.contextSize} tokens × ${info.parallel} sequences, ${info.threads} decode / ${info.batchThreads ?? info.threads} prefill threads, gpu ${info.gpu === false ? "off" : `${info.gpu} (${info.gpuLayers} layers)`}, exemplars '${catalog.defaultSet.name}'`,
    );
    if (info.threadSweep && info.threadSweep.length > 0) {
      log(`threads: measured ${info.threadSweep.map((trial) => `${trial.threads} → ${trial.tokensPerSecond.toFixed(1)} tok/s`).join(", ")}; using ${info.threads} (set --threads to fix it)`);
    }
    if (info.threadChoice) log(`threads: ${info.threadChoice}`);
    if (info.warmUpMs !== undefined) log(`GPU kernels warmed up in ${(info.warmUpMs / 1000).toFixed(1)} s`);
    if (info.hasChatTemplate) log("note: this GGUF has a chat template, so it is probably an instruction-tuned model; URIAL is meant for untuned base models");
    if (config.chatModel !== undefined) {
      log(`loading ${config.chatModel} and a scoring copy of the base model for POST /v1/shift (503 until ready)`);
      const shift = await startShiftAnalyser({
        baseModel: config.model,
        chatModel: config.chatModel,
        threads: info.threads,
        batchThreads: info.batchThreads,
        gpu: config.gpu,
        contextSize: config.contextSize,
      }).catch(async (error: unknown) => {
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
      process.stderr.write(statusLine({ prefix: "[urial] ", done: percent, total: 100, words: `${String(percent).padStart(3)} % loading ${modelPath}`, columns: process.stderr.columns }));
    },
    done() {
      if (tty && last >= 0) process.stderr.write("\n");
    },
  };
}

/**
 * Measures every exemplar set against the loaded context: a default set that
 * cannot fit is swapped for the largest that does (`chooseServedSet`), and the
 * sets that cannot fit are named once, rather than each of their requests
 * getting 400 `context_length_exceeded` unexplained.
 */
async function fitExemplarSets(
  watcher: CatalogWatcher,
  location: CatalogLocation,
  engine: Engine,
  options: { explicit: boolean; maxTokens: number; log: (line: string) => void; swapping: (on: boolean) => void },
): Promise<void> {
  const choice = measureExemplarSets(watcher.catalog, engine, options);
  if (choice.serve !== location.defaultSet) {
    location.defaultSet = choice.serve;
    options.swapping(true);
    await watcher.reload().finally(() => options.swapping(false));
  }
  for (const notice of choice.notices) options.log(notice);
}
