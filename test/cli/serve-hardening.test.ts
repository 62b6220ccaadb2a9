/**
 * `urial serve` hardening as users run it (the built CLI in a child process):
 * graceful shutdown with a request in flight (finished, or stopped at the
 * deadline), JSON request logs on stdout without keys, configuration errors,
 * and `--upstream` against a scripted OpenAI-compatible server on loopback.
 * The CLI is built by test/cli/serve-command.test.ts's beforeAll or `npm run
 * build`; tests skip, saying so, when it is missing.
 */
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtCli as cli, cleanEnv, runUrial } from "../support/run-cli.js";
import { startScriptedUpstream, streamPieces } from "../support/scripted-upstream.js";
import { killServeProcesses, startServeProcess, tinyServeFlags, waitHealthy } from "../support/start-serve-process.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

const key = "sk-cli-test-0123456789";

afterEach(killServeProcesses);

const tinyModelArgs = ["--model", testModelPath, ...tinyServeFlags(), "--prefix-cache-max-bytes", "0"];

/** A long raw completion (8 choices of up to 480 tokens) read slowly enough to be in flight at SIGTERM. */
async function startLongStream(base: string): Promise<{ firstChunk: Promise<void>; text: Promise<string> }> {
  const response = await fetch(`${base}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "base", prompt: "Once upon a time", max_tokens: 480, n: 8, temperature: 1, seed: 3, stream: true }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let resolveFirst!: () => void;
  const firstChunk = new Promise<void>((resolve) => (resolveFirst = resolve));
  const text = (async () => {
    let all = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return all;
      all += decoder.decode(value, { stream: true });
      resolveFirst();
    }
  })();
  return { firstChunk, text };
}

describe("urial serve configuration errors (built CLI)", () => {
  it("exits 2 naming an unreadable keys file or a bad upstream URL, without starting", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const run = (args: string[]) => runUrial(["serve", ...args]);
    const keys = await run(["--model", "/nonexistent.gguf", "--api-keys-file", "/nonexistent/keys.txt"]);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toContain("--api-keys-file (or URIAL_API_KEYS_FILE) /nonexistent/keys.txt: cannot be read (ENOENT)");
    const upstream = await run(["--upstream", "ftp://example.invalid/v1"]);
    expect(upstream.code).toBe(2);
    expect(upstream.stderr).toContain("--upstream (or URIAL_UPSTREAM)");
    const both = await run(["--upstream", "http://127.0.0.1:9/v1", "--model", "/x.gguf"]);
    expect(both.code).toBe(2);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("urial serve: keys, request logs and graceful shutdown (tiny model, built CLI)"), () => {
  it("finishes a request in flight on SIGTERM, refuses new connections, logs JSON lines without the key, and exits 0", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const dir = await mkdtemp(join(tmpdir(), "urial-keys-"));
    await writeFile(join(dir, "keys.txt"), `# keys\n${key}\n`);
    const server = await startServeProcess([...tinyModelArgs, "--api-keys-file", join(dir, "keys.txt"), "--log-format", "json", "--shutdown-timeout", "20"]);
    await waitHealthy(server);
    expect((await fetch(`${server.base}/v1/models`)).status).toBe(401);
    expect((await fetch(`${server.base}/v1/models`, { headers: { authorization: "Bearer sk-wrong" } })).status).toBe(401);
    const stream = await startLongStream(server.base);
    await stream.firstChunk;
    server.child.kill("SIGTERM");
    const text = await stream.text;
    const { code, signal } = await server.exited;
    expect(signal).toBeNull();
    expect(code, server.stderr()).toBe(0);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(server.stderr()).toContain("SIGTERM: shutting down (1 request in flight");
    expect(server.stderr()).toContain("requests: 1 finished, 0 waiting (body or queue) answered 503 at once, 0 stopped at the deadline");
    await expect(fetch(`${server.base}/health`)).rejects.toThrow();

    const lines = server
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.route, line.status])).toEqual([
      ["/v1/models", 401],
      ["/v1/models", 401],
      ["/v1/completions", 200],
    ]);
    expect(lines[2]).toMatchObject({ msg: "request", model: "base", variant: "base", stream: true, level: "info" });
    expect(lines[2]!.completion_tokens).toBeGreaterThan(8);
    expect(lines[2]).not.toHaveProperty("prompt");
    expect(server.stdout() + server.stderr()).not.toContain(key);
    expect(server.stdout() + server.stderr()).not.toContain("sk-wrong");
  });

  it("stops a request still running at the shutdown deadline with an error event, and still exits 0", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const server = await startServeProcess([...tinyModelArgs, "--shutdown-timeout", "0"], { env: cleanEnv({ URIAL_API_KEY: key }) });
    await waitHealthy(server);
    const stream = await startLongStream(server.base);
    await stream.firstChunk;
    server.child.kill("SIGTERM");
    const text = await stream.text;
    const { code } = await server.exited;
    expect(code, server.stderr()).toBe(0);
    const last = text.trimEnd().split("\n\n").at(-1)!;
    expect(last).not.toBe("data: [DONE]");
    expect(JSON.parse(last.slice("data: ".length))).toMatchObject({ error: { code: "server_shutting_down" } });
    expect(server.stderr()).toContain("requests: 0 finished, 0 waiting (body or queue) answered 503 at once, 1 stopped at the deadline");
  });
});

describe("urial serve --upstream (built CLI, scripted upstream on loopback)", () => {
  it("serves chat through the upstream, reports it in /health, and exits 0 on SIGTERM", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const upstream = await startScriptedUpstream({ maxModelLen: 2048, completions: streamPieces(["Sure! A dog", " named Rex.", "\n```\n\n# Query:"]) });
    try {
      const server = await startServeProcess(
        ["--upstream", `${upstream.url}/v1`, "--exemplars", "tiny", "--exemplars-dir", "test/fixtures/exemplars", "--system-prompts-dir", "test/fixtures/system-prompts", "--log-format", "json"],
        { env: cleanEnv({ URIAL_UPSTREAM_API_KEY: "sk-upstream-secret" }) },
      );
      const health = await waitHealthy(server);
      expect(health).toMatchObject({ status: "ok", model: "tiny-base", context_size: 2048, upstream: `${upstream.url}/v1` });
      const response = await fetch(`${server.base}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a dog." }], temperature: 0 }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("Sure! A dog named Rex.");
      const sent = upstream.requests.find((request) => request.path === "/v1/completions")!;
      expect(sent.headers.authorization).toBe("Bearer sk-upstream-secret");
      server.child.kill("SIGTERM");
      expect((await server.exited).code).toBe(0);
      expect(server.stderr()).toContain(`ready: generating on ${upstream.url}/v1`);
      expect(server.stdout() + server.stderr()).not.toContain("sk-upstream-secret");
    } finally {
      await upstream.close();
    }
  });

  it("keeps retrying (503 on /health) while the upstream is not there, and still stops cleanly", async (context) => {
    if (!existsSync(cli)) context.skip(`no built CLI at ${cli}`);
    const gone = await startScriptedUpstream();
    await gone.close();
    const server = await startServeProcess(["--upstream", gone.url, "--upstream-timeout", "1"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await fetch(`${server.base}/health`);
    expect(health.status).toBe(503);
    expect(server.stderr()).toContain(`upstream ${gone.url} not ready`);
    expect(server.stderr()).toContain("retrying");
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });
});
