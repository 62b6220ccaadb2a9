/**
 * @module test/support/start-serve-process
 * `urial serve` as users run it (the built CLI in a child process) on a port
 * the OS picks: started, then found by its "listening on" line, then (when a
 * test wants it) waited on until /health says ok. Every process started here
 * is killed by `killServeProcesses`, for the suites' after hooks.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { builtCli, cleanEnv, repositoryRoot } from "./run-cli.js";

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** All it has written so far. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeProcessOptions {
  /** Defaults to `cleanEnv()`. */
  env?: NodeJS.ProcessEnv;
  /** How long the listening line (and `readyPattern`) may take; then the process is killed. Defaults to 30 s. */
  readyTimeoutMs?: number;
  /** Wait, past the listening line, for this on stderr too (a route that gets ready after its models load). */
  readyPattern?: RegExp;
  /** A safety net: SIGKILL the server this long after its start, whatever the test is doing. */
  limitMs?: number;
}

const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/;
const started: ChildProcessWithoutNullStreams[] = [];

/** Starts `urial serve --port 0 …args` and resolves once it listens; rejects with its stderr if it exits or takes too long first. */
export async function startServeProcess(args: readonly string[], options: ServeProcessOptions = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [builtCli, "serve", "--port", "0", ...args], { cwd: repositoryRoot, env: options.env ?? cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = options.limitMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.limitMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no listening line in time:\n${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    const check = () => {
      const match = listening.exec(stderr);
      if (match && (options.readyPattern === undefined || options.readyPattern.test(stderr))) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stderr.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${stderr}`));
    });
  });
  const stop = () => {
    child.kill("SIGTERM");
    return exited;
  };
  return { child, port, base: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exited, stop };
}

/** Polls /health (every 50 ms, up to 15 s) until it answers 200, and returns its body; otherwise kills the server and throws with its stderr. */
export async function waitHealthy(server: ServeProcess): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const response = await fetch(`${server.base}/health`);
    if (response.status === 200) return (await response.json()) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.child.kill("SIGKILL");
  throw new Error(`the server never became healthy:\n${server.stderr()}`);
}

/** Kills (SIGKILL) every server started here that is still running. */
export function killServeProcesses(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** The flags that serve the tiny exemplar set from the test fixtures on one thread, a 512-token context and no GPU (the model is the caller's). */
export function tinyServeFlags(exemplarsDir = "test/fixtures/exemplars"): string[] {
  return ["--exemplars", "tiny", "--exemplars-dir", exemplarsDir, "--system-prompts-dir", "test/fixtures/system-prompts", "--threads", "1", "--context-size", "512", "--gpu", "off"];
}
