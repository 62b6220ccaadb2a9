/**
 * @module cli/chat-command
 * `urial chat`: talk to a base model through URIAL in the terminal, like
 * `ollama run`. With `--model` it loads the GGUF in this process (behind the
 * same in-process API `serve` has); with `--url` (or by default the local
 * `urial serve` at 127.0.0.1:8080) it talks to a running server. Answers
 * stream; Ctrl-C stops an answer, not the program. With stdin a pipe, every
 * line is a turn and only answers reach stdout. Options come from the one
 * option layer (`config/chat-config`), with `--config FILE` and
 * `--print-config` as for `serve`. Exit codes: 0 done, 1 a turn or the start
 * failed, 2 bad usage.
 */
import { createInterface } from "node:readline";
import { chatOptions, chatOptionsHelp, defaultChatUrl, checkChatOption, parseChatConfig } from "../config/chat-config.js";
import { loadCatalog, CatalogError, type CatalogLocation } from "../catalog/load-catalog.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import type { Engine } from "../engine/engine.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { createApp } from "../server/app.js";
import { readCommandOptions } from "./apply-config-file.js";
import { createChatClient, type ChatClient } from "./chat-client.js";
import { ChatSession, chatHelp } from "./chat-session.js";
import { measureExemplarSets } from "./measure-exemplar-sets.js";
import { resolveModelOption } from "./resolve-model-option.js";

/** The help of `urial chat`: its options, then the commands inside a chat. */
export const chatUsage = `${chatOptionsHelp()}\n\n${chatHelp}`;

interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function runChatCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const fail = (message: string, code: number) => {
    io.stderr.write(`urial chat: ${message}\n`);
    return code;
  };
  const parsed = await readCommandOptions({ command: "chat", table: chatOptions, check: checkChatOption, parse: parseChatConfig, help: () => chatUsage }, argv, env, io);
  if (typeof parsed === "number") return parsed;
  const options = parsed.config;
  const model = options.model;
  const settings = {
    maxTokens: options.maxTokens,
    ...(options.temperature !== undefined ? { temperature: options.temperature } : model !== undefined ? { temperature: 0.7 } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };

  let client: ChatClient;
  let engine: Engine | undefined;
  let where: string;
  const interactive = io.stdin.isTTY === true && parsed.positionals.length === 0;
  const note = (message: string) => io.stderr.write(`[urial] ${message}\n`);
  if (model !== undefined) {
    try {
      const location: CatalogLocation = {
        exemplarsDir: options.exemplarsDir,
        systemPromptsDir: options.systemPromptsDir,
        defaultSet: "urial-help",
      };
      let catalog = await loadCatalog(location);
      const modelPath = await resolveModelOption(model, { modelsDir: options.modelsDir, env, output: io.stderr });
      if (interactive) note(`loading ${modelPath}`);
      engine = await startLlamaEngine({
        modelPath,
        threads: options.threads,
        batchThreads: options.batchThreads,
        maxThreads: physicalCoreCount(),
        gpu: options.gpu,
        ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
        parallel: 1,
        maxQueue: 1,
        onNotice: interactive ? note : undefined,
      });
      // 'urial' is the largest set that fits this model's context, as `serve` would choose.
      const choice = measureExemplarSets(catalog, engine, { explicit: false, maxTokens: settings.maxTokens });
      if (choice.serve !== catalog.defaultSet.name) catalog = await loadCatalog({ ...location, defaultSet: choice.serve });
      if (interactive && choice.serve !== "urial-help") note(`the exemplar set 'urial-help' does not fit this model's context of ${engine.info.contextSize} tokens: 'urial' is '${choice.serve}' here`);
      const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 16 * 1024 * 1024 });
      client = createChatClient(async (url, init) => app.request(url, init), "http://urial.local/v1");
      where = `${engine.info.modelName} (${modelPath})`;
    } catch (error) {
      await engine?.dispose();
      if (error instanceof ModelLoadError || error instanceof CatalogError) return fail(error.message, 1);
      throw error;
    }
  } else {
    const url = new URL(options.url ?? defaultChatUrl);
    const base = url.toString().replace(/\/+$/, "");
    const apiBase = /\/v1$/.test(base) ? base : `${base}/v1`;
    client = createChatClient((target, init) => fetch(target, init), apiBase, options.apiKey);
    where = apiBase;
  }

  try {
    const startModel = options.exemplars === undefined ? "urial" : options.exemplars === "urial" || options.exemplars.startsWith("urial/") ? options.exemplars : `urial/${options.exemplars}`;
    const session = new ChatSession({ client, model: startModel, settings, output: io.stdout, errors: io.stderr, ...(options.system !== undefined ? { system: options.system } : {}) });
    // Fail early and clearly on an unreachable server or an unknown set, before the first question.
    try {
      const models = await client.listModels();
      if (!models.includes(startModel)) return fail(`no model '${startModel}' at ${where}; it offers ${models.join(", ")}. Pick one with --exemplars NAME.`, 1);
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error), 1);
    }
    if (parsed.positionals.length > 0) return (await session.handle(parsed.positionals.join(" "))) ? 0 : 1;
    return interactive ? await runInteractive(session, io, where) : await runPiped(session, io);
  } finally {
    await engine?.dispose();
  }
}

/** Stdin is a pipe or a file: every line is a turn; Ctrl-C (SIGINT) stops the answer, or quits between answers. */
async function runPiped(session: ChatSession, io: Io): Promise<number> {
  const lines = createInterface({ input: io.stdin, terminal: false });
  let failed = false;
  const onSignal = () => {
    if (!session.interrupt()) process.exit(130);
  };
  process.on("SIGINT", onSignal);
  try {
    for await (const line of lines) {
      if (!(await session.handle(line))) failed = true;
      if (session.done) break;
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    lines.close();
  }
  return failed ? 1 : 0;
}

/** A person at a terminal: a prompt, history, Ctrl-C stops an answer, twice at an empty prompt quits. */
async function runInteractive(session: ChatSession, io: Io, where: string): Promise<number> {
  const lines = createInterface({ input: io.stdin, output: io.stdout, terminal: true, prompt: ">>> ", historySize: 200 });
  io.stderr.write(`urial chat with ${where}, model '${session.model}'. /help for commands, Ctrl-D or /bye to quit.\n`);
  let lastInterrupt = 0;
  lines.on("SIGINT", () => {
    if (session.interrupt()) return;
    if (lines.line.length > 0) {
      // Ctrl-C on a half-typed line drops the line, as in a shell.
      lines.write(null, { ctrl: true, name: "u" });
      return;
    }
    if (Date.now() - lastInterrupt < 2000) {
      lines.close();
      return;
    }
    lastInterrupt = Date.now();
    io.stdout.write("\n(Ctrl-C again, Ctrl-D or /bye to quit)\n");
    lines.prompt();
  });
  lines.prompt();
  try {
    for await (const line of lines) {
      await session.handle(line);
      if (session.done) break;
      lines.prompt();
    }
  } finally {
    lines.close();
  }
  return 0;
}
