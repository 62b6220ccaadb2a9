/**
 * @module test/support/run-cli
 * Runs the built `urial` command (dist/ is compiled once per run by
 * build-cli.ts) in the repository root, without the caller's URIAL_*
 * variables, and collects its exit code and output.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
export const builtCli = join(repositoryRoot, "dist/src/cli/urial.js");

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment without any URIAL_* variable, so the caller's shell cannot
 * change a result; but one prefill thread (URIAL_BATCH_THREADS=1), like the
 * `--threads 1` the tests pass: two only spin against each other on a tiny model.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("URIAL_")) env[name] = value;
  return { ...env, URIAL_BATCH_THREADS: "1" };
}

/** Runs `urial …args`; killed after `limitMs` (then the code is null). */
export function runUrial(args: readonly string[], limitMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], { cwd: repositoryRoot, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
