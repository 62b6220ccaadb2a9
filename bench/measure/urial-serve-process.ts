/**
 * @module bench/measure/urial-serve-process
 * The real `urial serve` (the built CLI) as a child process on a free
 * loopback port, with the bench's exemplar sets: how users run the proxy,
 * and how the peer llama-server runs, so neither shares its event loop with
 * the measuring client. Waits for `/health` to say "ok".
 */
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchSets } from "./bench-server.js";
import { freePort } from "./free-port.js";

export interface UrialServeProcess {
  url: string;
  /** `/health` once it said "ok". */
  health: Record<string, unknown>;
  /** The last 20,000 characters it printed. */
  log(): string;
  /** How it ended ("exit code 1", "signal SIGSEGV"); undefined while it runs. */
  exit(): string | undefined;
  /** Resolves when the process has ended. */
  exited: Promise<void>;
  close(): Promise<void>;
}

export interface UrialServeOptions {
  modelPath: string;
  sets: BenchSets;
  contextSize: number;
  parallel: number;
  /** More `urial serve` arguments (threads, GPU, …). */
  args?: string[];
  /** Most ms to wait for /health. Defaults to 10 minutes. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** `dist/src/cli/urial.js` of this build (this file runs from dist/bench/measure). */
export const builtCli = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/urial.js");

export async function startUrialServe(options: UrialServeOptions): Promise<UrialServeProcess> {
  const port = await freePort();
  const args = [
    builtCli,
    "serve",
    "--model",
    options.modelPath,
    "--parallel",
    String(options.parallel),
    "--context-size",
    String(options.contextSize),
    "--max-queue",
    "256",
    "--exemplars-dir",
    options.sets.exemplarsDir,
    "--system-prompts-dir",
    options.sets.systemPromptsDir,
    "--exemplars",
    options.sets.names[0]!,
    "--prefix-cache-max-bytes",
    "0",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exit: string | undefined;
  const exited = new Promise<void>((resolveExit) =>
    child.once("exit", (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      resolveExit();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (exit) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    if (exit) throw new Error(`urial serve exited during start-up (${exit}): ${lastLines(log, 3)}`);
    const health = await fetch(`${url}/health`).then(
      (response) => (response.ok ? (response.json() as Promise<Record<string, unknown>>) : undefined),
      () => undefined,
    );
    if (health?.status === "ok") return { url, health, log: () => log, exit: () => exit, exited, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`urial serve: no /health after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s: ${lastLines(log, 3)}`);
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
}

export function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join(" / ");
}
