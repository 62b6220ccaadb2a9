/**
 * `--config FILE`: keys are the long option names; a flag wins over its
 * variable, which wins over the file, which wins over the default;
 * `--print-config` shows each resolved value and where it came from; every
 * problem names the file, the key and the fix. The error texts are pinned.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyConfigFile, loadConfigFile } from "../../src/cli/apply-config-file.js";
import { checkServeOption, parseServeConfig, serveOptions } from "../../src/config/serve-config.js";
import { abOptions, checkAbOption, parseAbConfig } from "../../src/config/ab-config.js";
import { cleanEnv, runUrial, type Finished } from "../support/run-cli.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "urial-config-"));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

const problem = async (name: string, text: string) => {
  const path = await file(name, text);
  const loaded = await loadConfigFile(path, "serve", serveOptions, checkServeOption);
  return loaded.ok ? "no problem" : loaded.message.replace(path, "FILE");
};

function runServe(args: readonly string[], env: Record<string, string>): Promise<Finished> {
  return runUrial(["serve", ...args], 30_000, { env: cleanEnv(env) });
}

describe("config file: errors that name the file, the key and the fix", () => {
  it("pins the key messages", async () => {
    expect(await problem("a.yaml", "modle: base.gguf\n")).toBe("FILE: unknown key 'modle'. Did you mean 'model'? Keys are the long option names of 'urial serve --help'.");
    expect(await problem("b.yaml", "contextSize: 4096\n")).toBe("FILE: unknown key 'contextSize'. Did you mean 'context-size'? Keys are the long option names of 'urial serve --help'.");
    expect(await problem("c.yaml", "port: lots\n")).toBe("FILE: key 'port' must be a port number; got 'lots'.");
    expect(await problem("d.yaml", "port: [8080, 8081]\n")).toBe("FILE: key 'port' takes one value, not a list.");
    expect(await problem("e.yaml", "host:\n")).toBe("FILE: key 'host' has no value; give one or remove the key.");
    expect(await problem("f.yaml", "limits:\n  port: 1\n")).toMatch(/^FILE: unknown key 'limits'\./);
    expect(await problem("g.yaml", "threads: {n: 2}\n")).toBe("FILE: key 'threads' must be a single value, not a mapping.");
    expect(await problem("h.yaml", "port: 8080\nport: 8081\n")).toBe("FILE:2:1: Map keys must be unique (YAML syntax).");
    expect(await problem("i.json", '{"port": 8080,}')).toMatch(/^FILE: .*JSON.* \(JSON syntax\)\.$/);
    expect(await problem("j.yaml", "- port\n")).toBe("FILE: must be a mapping of option names to values, such as 'port: 8080'.");
    expect(await problem("k.yaml", "api-key: 'sec ret'\n")).toBe("FILE: key 'api-key' must be printable ASCII without spaces or commas; got a value of 7 characters (not shown).");
    expect(await problem("l.yaml", "config: other.yaml\n")).toMatch(/^FILE: unknown key 'config' \(a config file cannot name another\)\./);
    expect(await problem("m.toml", "port = 8080\n")).toBe("--config FILE: the file must be YAML (.yaml, .yml) or JSON (.json); got '.toml'.");
    const missing = join(folder, "nope.yaml");
    expect((await loadConfigFile(missing, "serve", serveOptions)) as unknown).toEqual({ ok: false, message: `--config ${missing}: cannot read it (no such file).` });
  });

  it("takes lists for repeatable options, numbers and booleans as their text, JSON like YAML", async () => {
    const yaml = await loadConfigFile(await file("ok.yaml", "api-key: [k1, k2]\nport: 0\nlog-prompts: true\ncontext-size: 1024\n"), "serve", serveOptions, checkServeOption);
    expect(yaml).toEqual({ ok: true, values: { apiKey: "k1,k2", port: "0", logPrompts: "true", contextSize: "1024" } });
    const json = await loadConfigFile(await file("ok.json", '{"api-key": ["k1", "k2"], "port": 0, "log-prompts": true, "context-size": 1024}'), "serve", serveOptions, checkServeOption);
    expect(json).toEqual(yaml);
  });
});

describe("config file: flag > variable > file > default", () => {
  it("resolves each option from the strongest source (in-process)", async () => {
    const path = await file("serve.yaml", "model: ./base.gguf\nport: 9000\ncontext-size: 1024\nhost: 0.0.0.0\nexemplars: urial-1shot\n");
    const outcome = await applyConfigFile("serve", serveOptions, ["--config", path, "--context-size", "2048"], { URIAL_PORT: "9100" }, checkServeOption);
    if (!outcome.ok) throw new Error(outcome.message);
    const parsed = parseServeConfig(outcome.argv, { URIAL_PORT: "9100" });
    if (!parsed.ok || parsed.help) throw new Error("did not parse");
    // A ./path in the file is relative to the file's folder, wherever the command runs.
    expect(parsed.config).toMatchObject({ model: join(folder, "base.gguf"), port: 9100, contextSize: 2048, host: "0.0.0.0", exemplars: "urial-1shot", parallel: 2 });
    expect(outcome.sources).toMatchObject({
      model: { from: "file", path },
      port: { from: "env", name: "URIAL_PORT" },
      contextSize: { from: "flag" },
      host: { from: "file", path },
      parallel: { from: "default" },
    });
    // A set named in the file is named explicitly: never swapped at start-up.
    expect(parsed.defaultExemplars).toBeUndefined();
  });

  it("takes the short flags -m, -c, -p, and they win over the file like their long forms", async () => {
    const path = await file("short.yaml", "model: /models/a.gguf\nport: 9000\ncontext-size: 1024\n");
    const outcome = await applyConfigFile("serve", serveOptions, ["--config", path, "-m", "/models/b.gguf", "-c", "2048", "-p", "9001"], {}, checkServeOption);
    if (!outcome.ok) throw new Error(outcome.message);
    const parsed = parseServeConfig(outcome.argv, {});
    if (!parsed.ok || parsed.help) throw new Error("did not parse");
    expect(parsed.config).toMatchObject({ model: "/models/b.gguf", contextSize: 2048, port: 9001 });
    expect(outcome.sources).toMatchObject({ model: { from: "flag" }, contextSize: { from: "flag" }, port: { from: "flag" } });
  });

  it("urial serve --print-config prints the resolved options as a config file with their sources, and the file reads back the same", async () => {
    const path = await file("print.yaml", "model: ./base.gguf\nport: 9000\ncontext-size: 1024\napi-key: [alpha, beta]\n");
    const result = await runServe(["--config", path, "--context-size", "2048", "--print-config"], { URIAL_PORT: "9100" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain(`model: ${join(folder, "base.gguf")}  # file ${path}`);
    expect(lines).toContain("port: 9100  # env URIAL_PORT");
    expect(lines).toContain("context-size: 2048  # flag --context-size");
    expect(lines).toContain("host: 127.0.0.1  # default");
    expect(lines).toContain(`api-key: "<2 values, not shown>"  # file ${path}`);
    expect(lines).toContain("# chat-model: (default: none (no /v1/shift))");
    expect(result.stdout).not.toContain("alpha");
    // Without the secret, the printed file is a config file that gives the same settings back.
    const printed = await file(
      "printed.yaml",
      result.stdout
        .split("\n")
        .filter((line) => !line.startsWith("api-key"))
        .join("\n"),
    );
    const again = await runServe(["--config", printed, "--print-config"], {});
    expect(
      again.stdout
        .split("\n")
        .filter((line) => /^(model|port|context-size|host):/.test(line))
        .map((line) => line.replace(/ {2}# .*$/, "")),
    ).toEqual([`model: ${join(folder, "base.gguf")}`, "host: 127.0.0.1", "port: 9100", "context-size: 2048"]);
  });

  it("stops with exit code 2 and the message before loading anything", async () => {
    const path = await file("typo.yaml", "contex-size: 4096\n");
    const result = await runServe(["--config", path], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`urial serve: ${path}: unknown key 'contex-size'. Did you mean 'context-size'? Keys are the long option names of 'urial serve --help'.\n`);
  });
});

describe("config file for urial ab: a promptfoo-style run file", () => {
  it("takes the suite, the variants as a list, the judge and the sampling; flags still win; paths are relative to the file", async () => {
    const path = await file(
      "run.yaml",
      [
        "suite: suites/mine.jsonl",
        "variants:",
        "  - urial/urial-1shot",
        "  - urial/urial-help",
        "judge: http://127.0.0.1:8081/v1",
        "model: ./base.gguf",
        "out: results",
        "samples: 3",
        "temperature: 0.7",
      ].join("\n"),
    );
    const table = { ...abOptions, variants: { ...abOptions.variants, multiple: true } };
    const outcome = await applyConfigFile("ab", table, ["--config", path, "--samples", "5"], {}, checkAbOption);
    if (!outcome.ok) throw new Error(outcome.message);
    const parsed = parseAbConfig(outcome.argv, {});
    if (!parsed.ok || parsed.help) throw new Error(parsed.ok ? "help" : parsed.message);
    expect(parsed.config).toMatchObject({
      suite: join(folder, "suites/mine.jsonl"),
      variants: ["urial/urial-1shot", "urial/urial-help"],
      judge: "http://127.0.0.1:8081/v1",
      model: join(folder, "base.gguf"),
      out: join(folder, "results"),
      samples: 5,
      temperature: 0.7,
    });
    // The run's gates live in the file too, and a local judge's model written as a path is relative to the file;
    // a judge model given by name stays a name.
    const gated = await applyConfigFile("ab", table, ["--config", await file("gated.yaml", "fail-below: 0.5\nmax-failures: 0.1\njudge-model: ../judge.gguf\n")], {}, checkAbOption);
    if (!gated.ok) throw new Error(gated.message);
    expect(gated.argv).toEqual(expect.arrayContaining(["--fail-below=0.5", "--max-failures=0.1", `--judge-model=${join(folder, "../judge.gguf")}`]));
    const named = await applyConfigFile("ab", table, ["--config", await file("named.yaml", "judge-model: gpt-4o-mini\n")], {}, checkAbOption);
    if (!named.ok) throw new Error(named.message);
    expect(named.argv).toEqual(expect.arrayContaining(["--judge-model=gpt-4o-mini"]));
    const bad = await loadConfigFile(await file("bad-run.yaml", "variants: [urial/a]\n"), "ab", table, checkAbOption);
    expect(bad).toEqual({ ok: false, message: `${join(folder, "bad-run.yaml")}: key 'variants' must name at least two different model ids, comma-separated; got 'urial/a'.` });
  });
});
