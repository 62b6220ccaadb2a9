/**
 * `urial pull`, `urial models` and `urial models rm` as commands (in
 * process, with captured output), against a loopback server and a temporary
 * models folder.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runModelsCommand } from "../../src/cli/models-command.js";
import { runPullCommand } from "../../src/cli/pull-command.js";
import { closedLoopbackPort, startModelServer, type ModelServer } from "../models/support/model-server.js";
import { chatModelPath, pairExists } from "../shift/support/shift-test-models.js";
import { modelSuiteTitle, testModelPath } from "../support/test-model.js";

function io() {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

let server: ModelServer;
let modelsDir: string;
let env: NodeJS.ProcessEnv;

describe.skipIf(!pairExists)(modelSuiteTitle("urial pull / urial models / urial models rm"), () => {
  beforeAll(async () => {
    const base = await readFile(testModelPath);
    server = await startModelServer({
      "/files/stories260K.gguf": { body: base, headers: { "repr-digest": `sha-256=:${createHash("sha256").update(base).digest("base64")}:` } },
      "/files/stories260K-chat.gguf": { body: await readFile(chatModelPath) },
      "/files/index.html": { body: Buffer.from("<html>not a model</html>") },
    });
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), "urial-cli-models-"));
    // Anything hub-bound goes to a closed loopback port: these tests never leave the machine. (Its host
    // name differs from the file server's, which node-llama-cpp would otherwise take for hub URLs.)
    env = { URIAL_MODELS_DIR: modelsDir, HF_ENDPOINT: `http://localhost:${await closedLoopbackPort()}/` };
    return () => rm(modelsDir, { recursive: true, force: true });
  });

  it("pulls with one progress line per 10 % on a non-terminal, prints the path, and finds it in the cache the second time", async () => {
    const url = server.url("/files/stories260K.gguf");
    const first = io();
    expect(await runPullCommand([url], env, first.io)).toBe(0);
    expect(first.stdout()).toBe(`${join(modelsDir, "stories260K.gguf")}\n`);
    const lines = first.stderr().trimEnd().split("\n");
    expect(lines[0]).toBe(`[urial] downloading ${url} as stories260K.gguf (1.1 MiB)`);
    expect(lines.filter((line) => / \d+ % \(/.test(line)).at(-1)).toMatch(/^\[urial\] stories260K\.gguf: 100 % \(1\.1 MiB of 1\.1 MiB(, [\d.]+ [KMG]?i?B\/s, \d+ s left)?\)$/);
    expect(lines.slice(-2)).toEqual([
      "[urial] verifying stories260K.gguf: size, GGUF header, sha256",
      `[urial] pulled stories260K.gguf (1.1 MiB, sha256 verified): ${join(modelsDir, "stories260K.gguf")}`,
    ]);

    const requests = server.requests.length;
    const second = io();
    expect(await runPullCommand([url], env, second.io)).toBe(0);
    expect(second.stdout()).toBe(first.stdout());
    expect(second.stderr()).toBe(`[urial] stories260K.gguf is in the cache (1.1 MiB): ${join(modelsDir, "stories260K.gguf")}\n`);
    expect(server.requests.length).toBe(requests);
  });

  it("lists the cache with size, architecture, parameters, context, base or chat and source, as a table and as JSON", async () => {
    const empty = io();
    expect(await runModelsCommand([], env, empty.io)).toBe(0);
    expect(empty.stdout()).toContain(`No models in ${modelsDir}.`);

    const base = server.url("/files/stories260K.gguf");
    const chat = server.url("/files/stories260K-chat.gguf");
    expect(await runPullCommand([base, chat], env, io().io)).toBe(0);
    const listed = io();
    expect(await runModelsCommand([], env, listed.io)).toBe(0);
    const rows = listed.stdout().trimEnd().split("\n");
    expect(rows[0]).toMatch(/^NAME\s+SIZE\s+ARCH\s+PARAMS\s+CONTEXT\s+KIND\s+SOURCE$/);
    expect(rows.slice(1).map((row) => row.split(/\s{2,}/))).toEqual([
      ["stories260K-chat.gguf", "1.1 MiB", "llama", "293K", "2048", "chat", chat],
      ["stories260K.gguf", "1.1 MiB", "llama", "293K", "2048", "base", base],
    ]);

    const json = io();
    expect(await runModelsCommand(["--json"], env, json.io)).toBe(0);
    const parsed = JSON.parse(json.stdout()) as { modelsDir: string; models: { name: string; size: number; summary: { value: { parameters: number; hasChatTemplate: boolean } } }[] };
    expect(parsed.modelsDir).toBe(modelsDir);
    expect(parsed.models.map((model) => [model.name, model.size, model.summary.value.parameters, model.summary.value.hasChatTemplate])).toEqual([
      ["stories260K-chat.gguf", 1_185_792, 292_800, true],
      ["stories260K.gguf", 1_185_376, 292_800, false],
    ]);
  });

  it("removes a model with its record, and says so; an unknown name is exit 1", async () => {
    expect(await runPullCommand([server.url("/files/stories260K.gguf")], env, io().io)).toBe(0);
    const removed = io();
    expect(await runModelsCommand(["rm", "stories260K"], env, removed.io)).toBe(0);
    expect(removed.stdout()).toBe("removed stories260K.gguf (1.1 MiB)\n");
    expect(await readdir(modelsDir)).toEqual([]);
    // A partial download is listed with how to resume or delete it, and rm deletes it.
    await mkdir(join(modelsDir, ".partial"));
    await writeFile(join(modelsDir, ".partial", "big.gguf.ipull"), Buffer.alloc(2048));
    const listed = io();
    expect(await runModelsCommand([], env, listed.io)).toBe(0);
    expect(listed.stdout()).toContain("partial download: big.gguf.ipull (2.0 KiB); the same 'urial pull' resumes it, 'urial models rm big.gguf' deletes it");
    const partial = io();
    expect(await runModelsCommand(["rm", "big.gguf"], env, partial.io)).toBe(0);
    expect(partial.stdout()).toBe("removed big.gguf (2.0 KiB)\n");
    expect(await readdir(join(modelsDir, ".partial"))).toEqual([]);
    const again = io();
    expect(await runModelsCommand(["rm", "stories260K.gguf"], env, again.io)).toBe(1);
    expect(again.stderr()).toBe(`urial models rm: no model named 'stories260K.gguf' in ${modelsDir} ('urial models' lists them)\n`);
  });

  it("ends a failed pull with one line and exit 1, leaving nothing; bad usage is exit 2", async () => {
    const notModel = io();
    expect(await runPullCommand([server.url("/files/index.html")], env, notModel.io)).toBe(1);
    const last = notModel.stderr().trimEnd().split("\n").at(-1)!;
    expect(last).toMatch(/^urial pull: http:\/\/127\.0\.0\.1:\d+\/files\/index\.html: the server sent a file that is not a GGUF model/);
    expect(await readdir(modelsDir)).toEqual([]);

    const offline = io();
    expect(await runPullCommand(["hf:someone/Some-GGUF:Q4_K_M"], env, offline.io)).toBe(1);
    expect(offline.stderr()).toContain("urial pull: hf:someone/Some-GGUF:Q4_K_M: cannot reach localhost:");
    // pull has no --model: its hint names the commands that have one.
    expect(offline.stderr()).not.toContain("Pass a local GGUF file instead: --model");
    expect(offline.stderr()).toContain("A GGUF file you already have needs no pull: give its path to 'urial serve --model' or 'urial chat --model'");

    const none = io();
    expect(await runPullCommand([], env, none.io)).toBe(2);
    expect(none.stderr()).toContain("name a model");
    expect(await runModelsCommand(["frobnicate"], env, io().io)).toBe(2);
    expect(await runModelsCommand(["rm"], env, io().io)).toBe(2);
  });
});
