/**
 * @module cli/chat-command
 * `urial chat`: talk to a base model through URIAL in the terminal, like
 * `ollama run`. With `--model` it loads the GGUF in this process (behind the
 * same in-process API `serve` has); with `--url` (or by default the local
 * `urial serve` at 127.0.0.1:8080) it talks to a running server. Answers
 * stream; Ctrl-C stops an answer, not the program. With stdin a pipe, every
 * line is a turn and only answers reach stdout. Exit codes: 0 done, 1 a turn
 * or the start failed, 2 bad usage.
 */
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadCatalog, CatalogError, type CatalogLocation } from "../catalog/load-catalog.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { packageRoot } from "../platform/package-root.js";
import type { Engine } from "../engine/engine.js";
import { startLlamaEngine } from "../engine/llama-engine.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { defaultModelsDir } from "../models/models-dir.js";
import { createApp } from "../server/app.js";
import { createChatClient, type ChatClient } from "./chat-client.js";
import { ChatSession, chatHelp } from "./chat-session.js";
import { measureExemplarSets } from "./measure-exemplar-sets.js";
import { resolveModelOption } from "./resolve-model-option.js";

const defaultUrl = "http://127.0.0.1:8080/v1";

export const chatUsage = `Usage: urial chat [--model MODEL | --url URL] [options] [MESSAGE]

Chat with a base model through the URIAL prompt in the terminal. Answers stream;
Ctrl-C stops an answer (not the program); Ctrl-D or /bye quits. With stdin a pipe,
each line is one turn and only the answers are written to stdout. With MESSAGE,
answers it and exits.

  -m, --model MODEL          a base GGUF to load here: a path, a cached name, hf:… or an https URL (env URIAL_MODEL)
  --url URL                  a running urial (or other OpenAI-compatible) server instead (env URIAL_URL; default ${defaultUrl})
  --api-key KEY              sent to --url as a Bearer token (env URIAL_API_KEY)
  -e, --exemplars NAME       exemplar set to start with (switch with /set NAME; default: the server's 'urial')
  -s, --system TEXT          a system message for every turn
  --temperature N            sampling temperature (default: the server's, 0.7 for a local model)
  --max-tokens N             longest answer in tokens (default 512)
  --seed N                   sampling seed
  -c, --context-size N       with --model: tokens per sequence (default: the model's, at most 4096)
  -t, --threads N|auto       with --model: CPU threads (env URIAL_THREADS; default auto)
  --gpu KIND                 with --model: auto | cuda | vulkan | metal | off (env URIAL_GPU; default auto)
  --models-dir DIR           with --model: the models cache (env URIAL_MODELS_DIR)
  --exemplars-dir DIR        with --model: folder of exemplar sets (env URIAL_EXEMPLARS_DIR)
  --system-prompts-dir DIR   with --model: folder of system prompts (env URIAL_SYSTEM_PROMPTS_DIR)
  -h, --help                 show this help

${chatHelp}`;

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
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: "string", short: "m" },
        url: { type: "string" },
        "api-key": { type: "string" },
        exemplars: { type: "string", short: "e" },
        system: { type: "string", short: "s" },
        temperature: { type: "string" },
        "max-tokens": { type: "string" },
        seed: { type: "string" },
        "context-size": { type: "string", short: "c" },
        threads: { type: "string", short: "t" },
        gpu: { type: "string" },
        "models-dir": { type: "string" },
        "exemplars-dir": { type: "string" },
        "system-prompts-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}. Run 'urial chat --help' for the options.`, 2);
  }
  const values = parsed.values;
  if (values.help === true) {
    io.stdout.write(`${chatUsage}\n`);
    return 0;
  }
  const fromEnv = (name: string) => (env[name] !== undefined && env[name] !== "" ? env[name] : undefined);
  const model = values.model ?? (values.url === undefined ? fromEnv("URIAL_MODEL") : undefined);
  if (values.model !== undefined && values.url !== undefined) return fail("give --model (a GGUF to load here) or --url (a running server), not both.", 2);
  const numbers: { flag: string; raw: string | undefined; integer: boolean; min: number; max: number }[] = [
    { flag: "temperature", raw: values.temperature, integer: false, min: 0, max: 2 },
    { flag: "max-tokens", raw: values["max-tokens"], integer: true, min: 1, max: 10_000_000 },
    { flag: "seed", raw: values.seed, integer: true, min: 0, max: 2 ** 31 },
    { flag: "context-size", raw: values["context-size"], integer: true, min: 1, max: 10_000_000 },
  ];
  for (const { flag, raw, integer, min, max } of numbers) {
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      return fail(`--${flag} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}; got '${raw}'.`, 2);
    }
  }
  const threadsRaw = values.threads ?? fromEnv("URIAL_THREADS") ?? "auto";
  if (threadsRaw !== "auto" && !/^[1-9]\d{0,3}$/.test(threadsRaw)) return fail(`--threads (or URIAL_THREADS) must be auto or a whole number from 1 to 1024; got '${threadsRaw}'.`, 2);
  const gpu = values.gpu ?? fromEnv("URIAL_GPU") ?? "auto";
  if (!["auto", "cuda", "vulkan", "metal", "off"].includes(gpu)) return fail(`--gpu (or URIAL_GPU) must be auto, cuda, vulkan, metal or off; got '${gpu}'.`, 2);
  const settings = {
    maxTokens: Number(values["max-tokens"] ?? 512),
    ...(values.temperature !== undefined ? { temperature: Number(values.temperature) } : model !== undefined ? { temperature: 0.7 } : {}),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  };

  let client: ChatClient;
  let engine: Engine | undefined;
  let where: string;
  const interactive = io.stdin.isTTY === true && parsed.positionals.length === 0;
  const note = (message: string) => io.stderr.write(`[urial] ${message}\n`);
  if (model !== undefined) {
    try {
      const location: CatalogLocation = {
        exemplarsDir: values["exemplars-dir"] ?? fromEnv("URIAL_EXEMPLARS_DIR") ?? join(packageRoot, "exemplars"),
        systemPromptsDir: values["system-prompts-dir"] ?? fromEnv("URIAL_SYSTEM_PROMPTS_DIR") ?? join(packageRoot, "system-prompts"),
        defaultSet: "urial-help",
      };
      let catalog = await loadCatalog(location);
      const modelPath = await resolveModelOption(model, { modelsDir: values["models-dir"] ?? defaultModelsDir(env), env, output: io.stderr });
      if (interactive) note(`loading ${modelPath}`);
      engine = await startLlamaEngine({
        modelPath,
        threads: threadsRaw === "auto" ? "auto" : Number(threadsRaw),
        maxThreads: physicalCoreCount(),
        gpu: gpu === "off" ? false : (gpu as "auto"),
        ...(values["context-size"] !== undefined ? { contextSize: Number(values["context-size"]) } : {}),
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
    const raw = values.url ?? fromEnv("URIAL_URL") ?? defaultUrl;
    let url: URL;
    try {
      url = new URL(raw);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    } catch {
      return fail(`--url (or URIAL_URL) must be an http(s) URL such as ${defaultUrl}; got '${raw}'.`, 2);
    }
    const base = url.toString().replace(/\/+$/, "");
    const apiBase = /\/v1$/.test(base) ? base : `${base}/v1`;
    client = createChatClient((target, init) => fetch(target, init), apiBase, values["api-key"] ?? fromEnv("URIAL_API_KEY"));
    where = apiBase;
  }

  try {
    const startModel = values.exemplars === undefined ? "urial" : values.exemplars === "urial" || values.exemplars.startsWith("urial/") ? values.exemplars : `urial/${values.exemplars}`;
    const session = new ChatSession({ client, model: startModel, settings, output: io.stdout, errors: io.stderr, ...(values.system !== undefined ? { system: values.system } : {}) });
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
