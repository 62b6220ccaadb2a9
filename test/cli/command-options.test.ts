/**
 * `urial pull`, `urial models`, `urial chat`, `urial shift`, `urial generate`
 * and `urial exemplars search` read their options through the one option
 * layer (in process, with captured output): a misspelt flag gets the layer's
 * "did you mean", the `URIAL_*` variables are honoured, the help lists each
 * option with its variable, and the commands that load a model take
 * `--config FILE` and `--print-config` as `serve` does (shift and generate
 * checked once more through the built CLI); only serve reads URIAL_CONFIG.
 * Nothing here loads a model or opens a connection: each command stops at
 * its options.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAbCommand } from "../../src/cli/ab-command.js";
import { applyConfigFile } from "../../src/cli/apply-config-file.js";
import { runChatCommand } from "../../src/cli/chat-command.js";
import { runExemplarsSearchCommand } from "../../src/cli/exemplars-search-command.js";
import { runGenerateCommand } from "../../src/cli/generate-command.js";
import { runModelsCommand } from "../../src/cli/models-command.js";
import { runPullCommand } from "../../src/cli/pull-command.js";
import { runShiftCommand } from "../../src/cli/shift-command.js";
import { serveOptions } from "../../src/config/serve-config.js";
import { runUrial } from "../support/run-cli.js";

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

const runners = {
  pull: runPullCommand,
  models: runModelsCommand,
  chat: runChatCommand,
  shift: runShiftCommand,
  generate: runGenerateCommand,
  ab: runAbCommand,
  "exemplars search": runExemplarsSearchCommand,
};

async function run(command: keyof typeof runners, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = capture();
  const io = out.io as unknown as NonNullable<AnyIo>;
  const code = await runners[command](argv, env, io);
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
    const env = { URIAL_THREADS: "3", URIAL_BATCH_THREADS: "2", URIAL_MODEL: "tiny.gguf", URIAL_MODELS_DIR: join(folder, "cache") };
    const printed = (await run("chat", ["--print-config"], env)).stdout.split("\n");
    expect(printed).toContain("threads: 3  # env URIAL_THREADS");
    expect(printed).toContain("batch-threads: 2  # env URIAL_BATCH_THREADS");
    expect(printed).toContain("model: tiny.gguf  # env URIAL_MODEL");
    expect(printed).toContain(`models-dir: ${join(folder, "cache")}  # env URIAL_MODELS_DIR`);
    expect((await run("chat", ["--print-config"])).stdout.split("\n")).toEqual(expect.arrayContaining(["threads: auto  # default", "batch-threads: auto  # default"]));
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

describe("urial shift --config FILE", () => {
  it("prints the resolved options with where each came from: flag > env > file > default; paths are relative to the file", async () => {
    const file = join(folder, "shift.yaml");
    await writeFile(file, "base: ./models/base.gguf\nchat: stories260K-chat\nout: results\ntop-k: 20\nthreads: 2\nbatch-threads: 1\nchat-template: '@templates/chat.jinja'\n");
    const result = await run("shift", ["--config", file, "--print-config", "--top-k", "5"], { URIAL_THREADS: "4" });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("# urial shift: resolved options (a flag wins over its variable, which wins over --config, which wins over the default)");
    expect(lines).toContain(`base: ${join(folder, "models/base.gguf")}  # file ${file}`);
    // A cached model's name stays a name.
    expect(lines).toContain(`chat: stories260K-chat  # file ${file}`);
    expect(lines).toContain(`out: ${join(folder, "results")}  # file ${file}`);
    expect(lines).toContain(`chat-template: "@${join(folder, "templates/chat.jinja")}"  # file ${file}`);
    expect(lines).toContain("top-k: 5  # flag --top-k");
    expect(lines).toContain("threads: 4  # env URIAL_THREADS");
    expect(lines).toContain(`batch-threads: 1  # file ${file}`);
    expect(lines).toContain("gpu: auto  # default");
    // What it prints is a config file that gives the same settings back.
    const printed = join(folder, "shift-printed.yaml");
    await writeFile(printed, result.stdout);
    const again = await run("shift", ["--config", printed, "--print-config"], { URIAL_THREADS: "4" });
    expect(
      again.stdout
        .split("\n")
        .slice(1)
        .map((line) => line.replace(/ {2}# .*$/, "")),
    ).toEqual(lines.slice(1).map((line) => line.replace(/ {2}# .*$/, "")));
  });

  it("names the file and the key of an unknown key or a bad value", async () => {
    const bad = join(folder, "bad-shift.yaml");
    await writeFile(bad, "base: b.gguf\nbatch-thread: 2\n");
    expect(await run("shift", ["--config", bad])).toEqual({
      code: 2,
      stdout: "",
      stderr: `urial shift: ${bad}: unknown key 'batch-thread'. Did you mean 'batch-threads'? Keys are the long option names of 'urial shift --help'.\n`,
    });
    await writeFile(bad, "batch-threads: many\n");
    expect((await run("shift", ["--config", bad])).stderr).toBe(`urial shift: ${bad}: key 'batch-threads' must be auto or a whole number from 1 to 1024; got 'many'.\n`);
  });
});

describe("urial generate --config FILE", () => {
  it("prints the resolved options with where each came from: flag > env > file > default", async () => {
    const file = join(folder, "generate.json");
    await writeFile(file, JSON.stringify({ model: "./base.gguf", suite: "queries.jsonl", out: "sft.jsonl", "model-id": "urial/urial-8shot", "batch-threads": 2, threads: 1, "max-tokens": 64 }));
    const result = await run("generate", ["--config", file, "--print-config", "--max-tokens", "32"], { URIAL_BATCH_THREADS: "3" });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("# urial generate: resolved options (a flag wins over its variable, which wins over --config, which wins over the default)");
    expect(lines).toContain(`model: ${join(folder, "base.gguf")}  # file ${file}`);
    expect(lines).toContain(`suite: ${join(folder, "queries.jsonl")}  # file ${file}`);
    expect(lines).toContain(`model-id: urial/urial-8shot  # file ${file}`);
    expect(lines).toContain("max-tokens: 32  # flag --max-tokens");
    expect(lines).toContain("batch-threads: 3  # env URIAL_BATCH_THREADS");
    expect(lines).toContain(`threads: 1  # file ${file}`);
    expect(lines).toContain("seed: 1  # default");
  });

  it("names the file and the key of an unknown key or a bad value; a missing required option is still named", async () => {
    const bad = join(folder, "bad-generate.yaml");
    await writeFile(bad, "modle-id: urial/x\n");
    expect((await run("generate", ["--config", bad])).stderr).toBe(
      `urial generate: ${bad}: unknown key 'modle-id'. Did you mean 'model-id'? Keys are the long option names of 'urial generate --help'.\n`,
    );
    await writeFile(bad, "threads: 0\n");
    expect((await run("generate", ["--config", bad])).stderr).toBe(`urial generate: ${bad}: key 'threads' must be at least 1; got '0'.\n`);
    await writeFile(bad, "model: m.gguf\n");
    expect(await run("generate", ["--config", bad, "--print-config"])).toMatchObject({
      code: 2,
      stderr: "urial generate: --suite FILE and --out FILE are required. Run 'urial generate --help' for the options.\n",
    });
  });
});

describe("urial exemplars search --config FILE", () => {
  it("prints the resolved options with their sources; the set file and the query files are relative to the config file", async () => {
    const file = join(folder, "search.yaml");
    await writeFile(file, "base: ./base.gguf\nchat: stories260K-chat\npool-from-chat: seeds.txt\nqueries: held-out.jsonl\nout: sets/searched.json\nk: 2\nbatch-threads: 1\n");
    const result = await run("exemplars search", ["--config", file, "--print-config", "--objective", "kl"], { URIAL_BATCH_THREADS: "2" });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("# urial exemplars search: resolved options (a flag wins over its variable, which wins over --config, which wins over the default)");
    expect(lines).toEqual(
      expect.arrayContaining([
        `base: ${join(folder, "base.gguf")}  # file ${file}`,
        `chat: stories260K-chat  # file ${file}`,
        `pool-from-chat: ${join(folder, "seeds.txt")}  # file ${file}`,
        `queries: ${join(folder, "held-out.jsonl")}  # file ${file}`,
        `out: ${join(folder, "sets/searched.json")}  # file ${file}`,
        `k: 2  # file ${file}`,
        "objective: kl  # flag --objective",
        "batch-threads: 2  # env URIAL_BATCH_THREADS",
      ]),
    );
  });

  it("names the file and the key of an unknown key", async () => {
    const bad = join(folder, "bad-search.yaml");
    await writeFile(bad, "max-evaluation: 10\n");
    expect((await run("exemplars search", ["--config", bad])).stderr).toBe(
      `urial exemplars search: ${bad}: unknown key 'max-evaluation'. Did you mean 'max-evaluations'? Keys are the long option names of 'urial exemplars search --help'.\n`,
    );
  });
});

describe("URIAL_CONFIG names serve's file", () => {
  it("urial serve reads it; ab, chat, shift, generate and exemplars search read only their --config flag", async () => {
    const serveFile = join(folder, "serve-only.yaml");
    await writeFile(serveFile, "port: 9090\nthreads: 2\n");
    const served = await applyConfigFile("serve", serveOptions, [], { URIAL_CONFIG: serveFile });
    expect(served).toMatchObject({ ok: true, file: serveFile, argv: expect.arrayContaining(["--port=9090", "--threads=2"]) });
    const env = { URIAL_CONFIG: serveFile };
    const commands = {
      ab: ["--variants", "urial,urial/x", "--judge", "http://127.0.0.1:9/v1", "--out", "o", "--model", "m.gguf"],
      chat: [],
      shift: ["--base", "b.gguf", "--chat", "c.gguf", "--out", "o"],
      generate: ["--model", "m.gguf", "--suite", "s.jsonl", "--out", "o.jsonl"],
      "exemplars search": ["--base", "b.gguf", "--chat", "c.gguf", "--pool", "p.jsonl", "--queries", "q.jsonl", "--out", "s.json"],
    } as const;
    for (const [command, argv] of Object.entries(commands)) {
      const result = await run(command as keyof typeof commands, [...argv, "--print-config"], env);
      expect(result, command).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout.split("\n"), command).toContain("threads: auto  # default");
    }
  });
});

describe("--config and --print-config through the built CLI", () => {
  it("urial shift --config FILE --print-config", async () => {
    const file = join(folder, "cli-shift.yaml");
    await writeFile(file, "base: base.gguf\nchat: chat.gguf\nout: /tmp/shift-out\nbatch-threads: 2\n");
    const result = await runUrial(["shift", "--config", file, "--print-config"], 30_000);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    // run-cli's clean environment sets URIAL_BATCH_THREADS=1, which wins over the file.
    expect(result.stdout.split("\n")).toEqual(expect.arrayContaining([`out: /tmp/shift-out  # file ${file}`, "batch-threads: 1  # env URIAL_BATCH_THREADS"]));
  });

  it("urial generate --config FILE --print-config", async () => {
    const file = join(folder, "cli-generate.yaml");
    await writeFile(file, "model: /models/base.gguf\nsuite: /tmp/q.jsonl\nout: /tmp/sft.jsonl\nthreads: 2\n");
    const result = await runUrial(["generate", "--config", file, "--print-config"], 30_000);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")).toEqual(expect.arrayContaining([`model: /models/base.gguf  # file ${file}`, `threads: 2  # file ${file}`]));
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
    for (const line of [
      "  -m, --model MODEL               URIAL_MODEL",
      "  -t, --threads N|auto            URIAL_THREADS",
      "  --batch-threads N|auto          URIAL_BATCH_THREADS",
      "  --config FILE",
      "  --print-config",
    ]) {
      expect(chat.split("\n")).toContain(line);
    }
    expect(chat).toContain("Commands:");
    for (const command of ["shift", "generate", "exemplars search"] as const) {
      const help = (await run(command, ["--help"])).stdout.split("\n");
      expect(help, command).toEqual(expect.arrayContaining(["  --config FILE", "  --print-config", "  --batch-threads N|auto          URIAL_BATCH_THREADS"]));
    }
  });
});
