/**
 * `urial pull`, `urial models` and `urial chat` read their options through
 * the one option layer (in process, with captured output): a misspelt flag
 * gets the layer's "did you mean", the `URIAL_*` variables are honoured, the
 * help lists each option with its variable, and `chat` takes `--config FILE`
 * and `--print-config` as `serve` does. Nothing here loads a model or opens
 * a connection: each command stops at its options.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChatCommand } from "../../src/cli/chat-command.js";
import { runModelsCommand } from "../../src/cli/models-command.js";
import { runPullCommand } from "../../src/cli/pull-command.js";

function capture() {
  let stdout = "";
  let stderr = "";
  const stdin = { isTTY: false } as unknown as NodeJS.ReadableStream;
  return {
    io: { stdin, stdout: { write: (text: string) => ((stdout += text), true) }, stderr: { write: (text: string) => ((stderr += text), true), isTTY: false } },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

type AnyIo = Parameters<typeof runChatCommand>[2];

async function run(command: "pull" | "models" | "chat", argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = capture();
  const io = out.io as unknown as NonNullable<AnyIo>;
  const code = command === "pull" ? await runPullCommand(argv, env, io) : command === "models" ? await runModelsCommand(argv, env, io) : await runChatCommand(argv, env, io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "urial-command-options-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe("a misspelt flag gets a 'did you mean'", () => {
  it("on urial pull", async () => {
    expect(await run("pull", ["--modles-dir", "/tmp/x", "hf:a/b:Q4_K_M"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "urial pull: unknown option '--modles-dir'. Did you mean '--models-dir'? Run 'urial pull --help' for the options.\n",
    });
  });

  it("on urial models", async () => {
    expect(await run("models", ["--jsno"])).toEqual({ code: 2, stdout: "", stderr: "urial models: unknown option '--jsno'. Did you mean '--json'? Run 'urial models --help' for the options.\n" });
  });

  it("on urial chat", async () => {
    expect(await run("chat", ["--temprature=0.2", "Hi"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "urial chat: unknown option '--temprature'. Did you mean '--temperature'? Run 'urial chat --help' for the options.\n",
    });
  });
});

describe("the URIAL_* variables", () => {
  it("URIAL_MODELS_DIR is the cache urial models lists; the flag wins over it", async () => {
    const fromEnv = await run("models", ["--json"], { URIAL_MODELS_DIR: join(folder, "from-env") });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout).modelsDir).toBe(join(folder, "from-env"));
    const fromFlag = await run("models", ["--json", "--models-dir", join(folder, "from-flag")], { URIAL_MODELS_DIR: join(folder, "from-env") });
    expect(JSON.parse(fromFlag.stdout).modelsDir).toBe(join(folder, "from-flag"));
  });

  it("URIAL_THREADS, URIAL_MODEL and URIAL_MODELS_DIR reach urial chat; threads default to auto", async () => {
    const env = { URIAL_THREADS: "3", URIAL_MODEL: "tiny.gguf", URIAL_MODELS_DIR: join(folder, "cache") };
    const printed = (await run("chat", ["--print-config"], env)).stdout.split("\n");
    expect(printed).toContain("threads: 3  # env URIAL_THREADS");
    expect(printed).toContain("model: tiny.gguf  # env URIAL_MODEL");
    expect(printed).toContain(`models-dir: ${join(folder, "cache")}  # env URIAL_MODELS_DIR`);
    expect((await run("chat", ["--print-config"])).stdout.split("\n")).toContain("threads: auto  # default");
  });

  it("a bad URIAL_THREADS is refused naming the flag and the variable", async () => {
    expect((await run("chat", ["Hi"], { URIAL_THREADS: "many" })).stderr).toBe("urial chat: --threads (or URIAL_THREADS) must be auto or a whole number from 1 to 1024; got 'many'.\n");
  });

  it("a --url flag wins over URIAL_MODEL; --model with --url is refused", async () => {
    const printed = (await run("chat", ["--url", "http://127.0.0.1:9/v1", "--print-config"], { URIAL_MODEL: "tiny.gguf" })).stdout.split("\n");
    expect(printed).toContain("url: http://127.0.0.1:9/v1  # flag --url");
    expect(printed).toContain("# model: (not set)");
    expect((await run("chat", ["-m", "x.gguf", "--url", "http://127.0.0.1:9"])).stderr).toBe("urial chat: give --model (a GGUF to load here) or --url (a running server), not both.\n");
  });
});

describe("urial chat --config FILE", () => {
  it("prints the resolved options with where each came from: flag > env > file > default", async () => {
    const file = join(folder, "chat.yaml");
    await writeFile(file, "model: ./base.gguf\nmax-tokens: 64\ntemperature: 0.3\nthreads: 2\nsystem: Be brief.\n");
    const result = await run("chat", ["--config", file, "--print-config", "--temperature", "0.5"], { URIAL_THREADS: "4" });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("# urial chat: resolved options (a flag wins over its variable, which wins over --config, which wins over the default)");
    expect(lines).toContain(`model: ${join(folder, "base.gguf")}  # file ${file}`);
    expect(lines).toContain(`max-tokens: 64  # file ${file}`);
    expect(lines).toContain("temperature: 0.5  # flag --temperature");
    expect(lines).toContain("threads: 4  # env URIAL_THREADS");
    expect(lines).toContain(`system: Be brief.  # file ${file}`);
    expect(lines).toContain("gpu: auto  # default");
  });

  it("does not read URIAL_CONFIG, which names serve's file (with keys chat does not take)", async () => {
    const serveFile = join(folder, "serve.yaml");
    await writeFile(serveFile, "port: 9090\nthreads: 2\n");
    const result = await run("chat", ["--print-config"], { URIAL_CONFIG: serveFile });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")).toContain("threads: auto  # default");
  });

  it("names the file and the key of a bad value or an unknown key", async () => {
    const bad = join(folder, "bad.yaml");
    await writeFile(bad, "max-tokens: lots\n");
    expect((await run("chat", ["--config", bad, "Hi"])).stderr).toBe(`urial chat: ${bad}: key 'max-tokens' must be a whole number from 1 to 10000000; got 'lots'.\n`);
    await writeFile(bad, "temprature: 0.2\n");
    expect((await run("chat", ["--config", bad, "Hi"])).stderr).toBe(
      `urial chat: ${bad}: unknown key 'temprature'. Did you mean 'temperature'? Keys are the long option names of 'urial chat --help'.\n`,
    );
  });
});

describe("help", () => {
  it("lists each option with its variable, in the one format", async () => {
    const pull = await run("pull", ["--help"]);
    expect(pull.stdout).toMatch(/^ {2}--models-dir DIR {16}URIAL_MODELS_DIR$/m);
    const models = await run("models", ["-h"]);
    expect(models.stdout).toMatch(/^ {2}--json *$/m);
    expect(models.stdout).toMatch(/^ {2}--models-dir DIR {16}URIAL_MODELS_DIR$/m);
    const chat = (await run("chat", ["--help"])).stdout;
    for (const line of ["  -m, --model MODEL               URIAL_MODEL", "  -t, --threads N|auto            URIAL_THREADS", "  --config FILE", "  --print-config"]) {
      expect(chat.split("\n")).toContain(line);
    }
    expect(chat).toContain("Commands:");
  });
});
