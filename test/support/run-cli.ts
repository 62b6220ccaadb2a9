/**
 * @module test/support/run-cli
 * Runs a command to its end and collects its exit and output: `runUrial` for
 * the built `urial` command (dist/ is compiled once per run by build-cli.ts),
 * `spawnCollect` for any other. Both run in the repository root, without the
 * caller's URIAL_* variables unless told otherwise.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
export const builtCli = join(repositoryRoot, "dist/src/cli/urial.js");

export interface Finished {
  /** Null when a signal ended it (the limit's SIGKILL included). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment without any URIAL_* variable, so the caller's shell cannot
 * change a result; but one prefill thread (URIAL_BATCH_THREADS=1), like the
 * `--threads 1` the tests pass: two only spin against each other on a tiny
 * model. `extra` is added last.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("URIAL_")) env[name] = value;
  return { ...env, URIAL_BATCH_THREADS: "1", ...extra };
}

export interface SpawnCollectOptions {
  /** Defaults to the repository root. */
  cwd?: string;
  /** Defaults to `cleanEnv()`. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string;
  /** Killed (SIGKILL) after this long. Defaults to 30 s. */
  limitMs?: number;
}

/** Runs `command …args` until it closes its output; rejects only when it cannot start. */
export function spawnCollect(command: string, args: readonly string[], options: SpawnCollectOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repositoryRoot,
      env: options.env ?? cleanEnv(),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.limitMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) {
      // A command that exits before reading all of it closes the pipe: that is its answer, not the test's error.
      child.stdin!.on("error", () => {});
      child.stdin!.end(options.input);
    }
  });
}

/** Runs `urial …args`; killed after `limitMs` (then the code is null). */
export function runUrial(args: readonly string[], limitMs = 30_000, options: Omit<SpawnCollectOptions, "limitMs"> = {}): Promise<Finished> {
  return spawnCollect(process.execPath, [builtCli, ...args], { ...options, limitMs });
}
