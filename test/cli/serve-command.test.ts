/**
 * `urial serve` as users run it: the built CLI in a child process. Exit codes,
 * messages, help, and a real start on the tiny model that stops cleanly on
 * SIGTERM. The CLI is built once for the whole run (vitest globalSetup).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { serveOptions } from "../../src/config/serve-config.js";
import { builtCli as cli, cleanEnv, repositoryRoot as root, runUrial } from "../support/run-cli.js";
import { killServeProcesses, startServeProcess, tinyServeFlags, waitHealthy } from "../support/start-serve-process.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { closedLoopbackPort, startModelServer } from "../models/support/model-server.js";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));

/** The flags `urial serve` has documented from the start; help must list each one. */
const documentedFlags = [
  "model",
  "host",
  "port",
  "exemplars",
  "exemplars-dir",
  "system-prompts-dir",
  "system-message",
  "threads",
  "gpu",
  "gpu-layers",
  "context-size",
  "parallel",
  "max-queue",
  "max-body-bytes",
];

/** `urial …args`, killed after 30 s. Caches go to this test file's own temporary folder (test/support/isolate-cache.ts), never the user's. */
const runCli = (args: string[], env: NodeJS.ProcessEnv = cleanEnv()) => runUrial(args, 30_000, { env });

afterEach(killServeProcesses);

// dist/ is compiled once for the whole run by test/support/build-cli.ts (vitest
// globalSetup), which stops the run on any compile error.
describe("the build", () => {
  it("compiles the CLI without errors (and the compiler reports nothing for the sources)", () => {
    const check = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noEmit"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
    expect(existsSync(cli)).toBe(true);
  }, 120_000);
});

describe("urial serve (built CLI)", () => {
  // Issue 9 replaced "no model is exit 2" (issue 3) with a documented default base model. The
  // default is pointed at a closed loopback port (and so is the hub), so this never leaves the machine.
  it("without a model, tries the documented default and, offline, exits 1 at once saying how to pass a local file", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const port = await closedLoopbackPort();
    const unreachable = `http://127.0.0.1:${port}/SmolLM2-135M-Q4_K_M.gguf`;
    const modelsDir = mkdtempSync(join(tmpdir(), "urial-cli-models-"));
    const result = await runCli(["serve"], cleanEnv({ URIAL_DEFAULT_MODEL: unreachable, URIAL_MODELS_DIR: modelsDir, HF_ENDPOINT: `http://127.0.0.1:${port}/` }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`no --model given: serving the default base model ${unreachable}`);
    const last = result.stderr.trimEnd().split("\n").at(-1)!;
    expect(last).toContain(`urial serve: ${unreachable}: cannot reach 127.0.0.1:${port}`);
    expect(last).toContain("--model ./path/to/model.gguf");
    expect(last).toContain("URIAL_MODEL");
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it("exits 1 with one line naming a missing model file (given as a flag or in URIAL_MODEL)", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const missing = "/nonexistent/dir/base-model.gguf";
    for (const result of [await runCli(["serve", "--model", missing]), await runCli(["serve"], cleanEnv({ URIAL_MODEL: missing }))]) {
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain(missing);
      expect(lines[0]).toContain("no such file");
    }
  });

  it("exits 2 naming the flag and its variable for a bad value, and for an unknown flag", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const badPort = await runCli(["serve", "--model", "x.gguf", "--port", "eighty"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port");
    expect(badPort.stderr).toContain("URIAL_PORT");
    expect(badPort.stderr).toContain("eighty");
    const unknown = await runCli(["serve", "--model", "x.gguf", "--colour", "blue"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--colour");
    expect(unknown.stderr).toContain("--help");
  });

  it("lists every flag and its variable in serve --help, exiting 0", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const result = await runCli(["serve", "--help"]);
    expect(result.code).toBe(0);
    for (const flag of documentedFlags) expect(result.stdout).toMatch(new RegExp(`--${flag}\\b`));
    for (const spec of Object.values(serveOptions)) {
      expect(result.stdout).toContain(`--${spec.flag} `);
      expect(result.stdout).toContain(spec.env);
    }
    expect(result.stdout).toContain("--help");
  });

  it("prints the package version and exits 2 without a command", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    const shown = await runCli(["--version"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.trim()).toBe(version);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("serve");
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("urial serve on the tiny model"), () => {
  it("starts on port 0, answers once ready, and exits 0 on SIGTERM", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const server = await startServeProcess(["--model", testModelPath, ...tinyServeFlags()], { limitMs: 45_000 });
    expect(server.port).toBeGreaterThan(0);

    const base = server.base;
    let health: Response | undefined;
    for (let attempt = 0; attempt < 300; attempt += 1) {
      health = await fetch(`${base}/health`);
      if (health.status === 200) break;
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: "loading" });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(health?.status).toBe(200);
    const info = (await health!.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ status: "ok", context_size: 512, threads: 1, gpu: false, default_exemplar_set: "tiny" });

    const chat = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a dog." }], temperature: 0, max_tokens: 10 }),
    });
    expect(chat.status).toBe(200);
    const body = (await chat.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBeGreaterThan(0);

    const { code, signal } = await server.stop();
    expect(signal).toBeNull();
    expect(code, server.stderr()).toBe(0);
    expect(server.stderr()).toContain("SIGTERM");
  });
});

/** `urial serve` on the tiny model with `args`; resolves once /health is 200 (or rejects with the server's stderr). */
async function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<{ stderr: () => string; health: Record<string, unknown>; stop: () => Promise<number | null> }> {
  const server = await startServeProcess([...args, ...tinyServeFlags()], { env, limitMs: 45_000 });
  return { stderr: server.stderr, health: await waitHealthy(server), stop: async () => (await server.stop()).code };
}

describe.skipIf(!testModelExists)(modelSuiteTitle("urial serve with models by name (loopback model server)"), () => {
  it("with no --model, pulls the default base model into the models cache once and serves it", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const server = await startModelServer({ "/base/stories260K.gguf": { body: readFileSync(testModelPath) } });
    const modelsDir = mkdtempSync(join(tmpdir(), "urial-cli-models-"));
    const env = cleanEnv({ URIAL_DEFAULT_MODEL: server.url("/base/stories260K.gguf"), URIAL_MODELS_DIR: modelsDir });
    try {
      const first = await startServe([], env);
      expect(await first.stop()).toBe(0);
      expect(first.stderr()).toContain("no --model given: serving the default base model");
      expect(first.stderr()).toContain(`pulled stories260K.gguf (1.1 MiB): ${join(modelsDir, "stories260K.gguf")}`);
      expect(readdirSync(modelsDir).sort()).toEqual(["stories260K.gguf", "stories260K.gguf.json"]);
      const requests = server.requests.length;
      const second = await startServe([], env);
      expect(await second.stop()).toBe(0);
      expect(second.stderr()).toContain("stories260K.gguf is in the cache");
      expect(server.requests.length).toBe(requests);
    } finally {
      await server.close();
    }
  });

  it("serves a model from the cache by its name, without the network", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const server = await startModelServer({ "/files/stories260K.gguf": { body: readFileSync(testModelPath) } });
    const modelsDir = mkdtempSync(join(tmpdir(), "urial-cli-models-"));
    try {
      const pulled = await runCli(["pull", server.url("/files/stories260K.gguf"), "--models-dir", modelsDir]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(pulled.stdout.trim()).toBe(join(modelsDir, "stories260K.gguf"));
    } finally {
      await server.close();
    }
    for (const name of ["stories260K.gguf", "stories260K"]) {
      const served = await startServe(["--model", name, "--models-dir", modelsDir], cleanEnv());
      expect(served.health).toMatchObject({ status: "ok" });
      expect(await served.stop()).toBe(0);
    }
    const unknown = await runCli(["serve", "--model", "no-such-model", "--models-dir", modelsDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      `urial serve: no-such-model: no such file, and no model of that name in ${modelsDir} ('urial models' lists them; 'urial pull hf:<user>/<repo>/<file>.gguf' fetches one)`,
    );
  });
});
