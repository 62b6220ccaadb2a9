/**
 * The README's first screen, run as written: its shell blocks' `npx urial`
 * commands (the clone and `npm ci` are what CI itself just did), its curl
 * line and its JavaScript client, against a local mirror of the Hugging Face
 * hub (HF_ENDPOINT) that serves the shared tiny model under the README's
 * model URI — the commands are the README's, only the network is local. The
 * tiny model's 2k context also exercises the start-up fallback to a set that
 * fits. Fails when the first screen stops working.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "../models/support/model-server.js";
import { cleanEnv, repositoryRoot, spawnCollect, type Finished } from "../support/run-cli.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

const readme = await readFile(join(repositoryRoot, "README.md"), "utf8");
const firstScreen = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("**Contents:**"));
const blocks = [...firstScreen.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ language: match[1]!, text: match[2]! }));
const shellLines = blocks.filter((block) => block.language === "sh").flatMap((block) => block.text.split("\n").filter((line) => line.trim().length > 0));
const commands = shellLines.filter((line) => line.startsWith("npx urial "));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function sh(command: string, env: NodeJS.ProcessEnv, input = "", limitMs = 60_000): Promise<Finished> {
  return spawnCollect("sh", ["-c", command], { env, input, limitMs });
}

describe("the README's first screen", () => {
  it("has the set-up commands, a pull of a named base model, chat and serve, all as `npx urial`", () => {
    expect(shellLines.slice(0, 2)).toEqual([expect.stringMatching(/^git clone /), "npm ci"]);
    expect(commands.map((line) => line.split(" ").slice(0, 3).join(" "))).toEqual(["npx urial pull", "npx urial chat", "npx urial serve"]);
    expect(shellLines.filter((line) => /^urial /.test(line))).toEqual([]);
    expect(firstScreen).toMatch(/\| base model .*\| license \|/);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("the README's first-screen commands, run as written with the shared model"), () => {
  let hub: ModelServer;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const hubUris = [...new Set(commands.flatMap((line) => [...line.matchAll(/hf:([^/\s]+)\/([^/\s]+)\/(\S+\.gguf)/g)].map((match) => `/${match[1]}/${match[2]}/resolve/main/${match[3]}`)))];

  beforeAll(async () => {
    const model = await readFile(testModelPath);
    const sha = createHash("sha256").update(model).digest("hex");
    hub = await startModelServer(Object.fromEntries(hubUris.map((path) => [path, { body: model, headers: { "x-linked-etag": `"${sha}"`, "x-linked-size": String(model.length) } }])));
    cache = await mkdtemp(join(tmpdir(), "urial-readme-"));
    port = await freePort();
    // Only the network and the machine differ from a newcomer's: a local hub, a fresh cache, one thread, a free port.
    env = {
      ...cleanEnv(),
      HF_ENDPOINT: hub.url("/"),
      URIAL_MODELS_DIR: join(cache, "models"),
      URIAL_PREFIX_CACHE_DIR: join(cache, "prefix"),
      URIAL_THREADS: "1",
      URIAL_PORT: String(port),
      URIAL_LOG_FORMAT: "json",
    };
  });
  afterAll(async () => {
    await hub?.close();
    if (cache) await rm(cache, { recursive: true, force: true });
  });

  it("pulls the model, chats with it through a pipe, serves it, and answers the curl line and the JS client", async () => {
    expect(hubUris.length).toBeGreaterThan(0);
    const [pull, chat, serve] = commands as [string, string, string];

    const pulled = await sh(pull, env);
    expect(pulled.stderr).toContain("sha256 verified");
    expect(pulled.code).toBe(0);
    expect(pulled.stdout.trim()).toMatch(/\.gguf$/);

    const chatted = await sh(chat, env, "Tell me about a cat.\n");
    expect(chatted.stderr).not.toMatch(/error|urial chat:/);
    expect(chatted.code).toBe(0);
    expect(chatted.stdout.trim().length).toBeGreaterThan(3);

    // Its own process group, as a terminal would run it: npx starts the server as a grandchild, and Ctrl-C reaches the whole group.
    const server = spawn("sh", ["-c", serve], { cwd: repositoryRoot, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let log = "";
    server.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    try {
      const until = Date.now() + 45_000;
      while (!/ready in/.test(log)) {
        if (Date.now() > until || server.exitCode !== null) throw new Error(`serve did not get ready:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The tiny model's 2k context cannot hold the default set: one line says so, and 'urial' still answers.
      expect(log).toMatch(/the default exemplar set 'urial-help' .* does not fit the context of 2048 tokens: serving 'urial-1shot'/);

      const curl = shellLines.find((line) => line.startsWith("curl "))!.replace("127.0.0.1:8080", `127.0.0.1:${port}`);
      if (spawnSync("curl", ["--version"]).status === 0) {
        const answered = await sh(`${curl} -sS --max-time 30`, env);
        expect(answered.code).toBe(0);
        const body = JSON.parse(answered.stdout) as { choices: { message: { content: string } }[] };
        expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
      } else console.warn("[skipped] the README's curl line: no curl on this machine");

      const script = blocks.find((block) => block.language === "js")!.text.replace("127.0.0.1:8080", `127.0.0.1:${port}`);
      const file = join(repositoryRoot, `.readme-client-${process.pid}.mjs`);
      await writeFile(file, script);
      try {
        const client = await sh(`node ${JSON.stringify(file)}`, env);
        expect(client.stderr).toBe("");
        expect(client.code).toBe(0);
        expect(client.stdout.trim().length).toBeGreaterThan(0);
      } finally {
        await rm(file, { force: true });
      }
    } finally {
      const closed = new Promise((resolve) => server.once("close", resolve));
      process.kill(-server.pid!, "SIGINT");
      await closed;
    }
  }, 240_000);
});
