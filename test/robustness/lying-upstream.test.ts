/**
 * A remote engine whose upstream lies or misbehaves on purpose (scripted
 * servers on loopback: a hostile peer, not a stand-in for a real engine).
 * The proxy must hold its own limits: `max_tokens` and stop strings enforced
 * here, bounded reads of whatever the upstream sends, no redirect to another
 * origin, and `/health` that says when the upstream is gone and why.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine } from "../../src/engine/engine.js";
import { startRemoteEngine, type RemoteEngineOptions } from "../../src/engine/remote/remote-engine.js";
import { createApp } from "../../src/server/app.js";
import { startScriptedUpstream, textChunk, usageChunk, writeSse, type ScriptedUpstreamOptions } from "../support/scripted-upstream.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function remoteApp(url: string | string[], options: Partial<RemoteEngineOptions> = {}): Promise<{ engine: Engine; app: Hono; notices: string[] }> {
  const notices: string[] = [];
  const engine = await startRemoteEngine({ url, parallel: 2, maxQueue: 4, timeoutMs: 3000, healthIntervalMs: 0, onNotice: (line) => notices.push(line), ...options });
  cleanups.push(() => engine.dispose());
  return { engine, app: createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024 }), notices };
}

async function scripted(options: ScriptedUpstreamOptions) {
  const upstream = await startScriptedUpstream(options);
  cleanups.push(() => upstream.close());
  return upstream;
}

function post(app: Hono, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
}

/** Chunks of text the client receives from a streamed answer, and its finish reason. */
async function streamedText(response: Response): Promise<{ text: string; finish: string | null; chunks: number }> {
  const payloads = (await response.text())
    .split("\n\n")
    .filter((block) => block.startsWith("data: ") && block !== "data: [DONE]")
    .map((block) => JSON.parse(block.slice(6)) as { choices: { text?: string; delta?: { content?: string }; finish_reason: string | null }[] });
  let text = "";
  let finish: string | null = null;
  let chunks = 0;
  for (const payload of payloads) {
    for (const choice of payload.choices) {
      const piece = choice.text ?? choice.delta?.content ?? "";
      if (piece.length > 0) chunks += 1;
      text += piece;
      finish = choice.finish_reason ?? finish;
    }
  }
  return { text, finish, chunks };
}

/** A server on 127.0.0.1 with one handler for everything; records the paths asked. */
async function rawServer(handler: (request: IncomingMessage, response: ServerResponse, body: string) => void | Promise<void>): Promise<{ url: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += String(chunk);
    paths.push(request.url ?? "/");
    await handler(request, response, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, server };
}

describe("an upstream that ignores max_tokens", () => {
  // Chunks of 51 characters, written (with back-pressure) until the reader hangs up, up to 200,000 of them (10M characters).
  const flood = async (_body: Record<string, unknown>, response: ServerResponse) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    for (let index = 0; index < 200_000 && !response.destroyed; index += 1) {
      const event = `data: ${JSON.stringify(textChunk(`${String(index).padStart(5, "0")} ${"w".repeat(45)}`))}\n\n`;
      if (!response.write(event)) await new Promise((resolve) => response.once("drain", resolve).once("close", resolve));
    }
    if (!response.destroyed) await writeSse(response, [textChunk("", "stop"), usageChunk(10, 200_000)]);
  };

  it("gives a raw completion exactly the 10 tokens asked for, ends it with 'length' and closes the upstream stream", async () => {
    const upstream = await scripted({ completions: flood });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    for (const stream of [false, true]) {
      const response = await post(app, "/v1/completions", { model: "base", prompt: "Once upon a time", max_tokens: 10, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
      expect(response.status).toBe(200);
      const { text, finish, usage } = stream
        ? await streamedText(response).then((result) => ({ ...result, usage: undefined }))
        : await response
            .json()
            .then((value) => value as { choices: { text: string; finish_reason: string }[]; usage: { completion_tokens: number } })
            .then((body) => ({ text: body.choices[0]!.text, finish: body.choices[0]!.finish_reason, usage: body.usage }));
      expect(text).toBe(Array.from({ length: 10 }, (_, index) => `${String(index).padStart(5, "0")} ${"w".repeat(45)}`).join(""));
      expect(finish).toBe("length");
      if (usage) expect(usage.completion_tokens).toBe(10);
    }
    await expect.poll(() => upstream.closedEarly, { timeout: 5000 }).toBe(2);
  });

  it("cuts a chat answer sent as a few huge chunks at what 10 tokens can spell", async () => {
    const upstream = await scripted({ completions: (_body, response) => writeSse(response, [textChunk("Sure. "), textChunk("z".repeat(100_000)), textChunk("z".repeat(100_000), "stop")]) });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const response = await post(app, "/v1/chat/completions", { model: "urial", messages: [{ role: "user", content: "Hi" }], max_tokens: 10 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { completion_tokens: number } };
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.choices[0]!.message.content.length).toBeLessThanOrEqual(10 * 128);
    expect(body.choices[0]!.message.content.startsWith("Sure. zzz")).toBe(true);
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(10);
  });

  it("does not trust a usage that counts more tokens than were asked for", async () => {
    const upstream = await scripted({ completions: (_body, response) => writeSse(response, [textChunk("a"), textChunk("b", "length"), usageChunk(7, 5000)]) });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const body = (await (await post(app, "/v1/completions", { model: "base", prompt: "Once", max_tokens: 2 })).json()) as {
      choices: { text: string }[];
      usage: { completion_tokens: number; prompt_tokens: number };
    };
    expect(body.choices[0]!.text).toBe("ab");
    expect(body.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 2 });
  });
});

describe("an upstream that ignores stop strings", () => {
  it("stops the answer here at the client's stop string, in both routes", async () => {
    const upstream = await scripted({ completions: (_body, response) => writeSse(response, [textChunk("one two "), textChunk("STOP three"), textChunk(" four", "stop")]) });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const raw = (await (await post(app, "/v1/completions", { model: "base", prompt: "Count:", stop: ["STOP"] })).json()) as { choices: { text: string; finish_reason: string }[] };
    expect(raw.choices[0]).toMatchObject({ text: "one two ", finish_reason: "stop" });
    const chat = await (await post(app, "/v1/chat/completions", { model: "urial", messages: [{ role: "user", content: "Count" }], stop: "STOP", stream: true })).text();
    expect(chat).not.toContain("three");
  });
});

describe("an upstream whose answers are too large", () => {
  it("refuses an 80 MB /tokenize answer after reading a bounded part of it (502), and stays usable", async () => {
    let written = 0;
    let finished = false;
    const upstream = await rawServer(async (request, response, body) => {
      const path = request.url ?? "/";
      if (path === "/v1/models") return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ id: "tiny-base" }] }));
      if (path === "/tokenize") {
        const content = (JSON.parse(body) as { content: string }).content;
        if (content.length < 100) return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ tokens: [1, 2, 3] }));
        // The lie: a token list far longer than the text, 80 MB of it, written as fast as it is read.
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"tokens":[');
        const piece = Buffer.from("1234567,".repeat(8192));
        while (written < 80 * 1024 * 1024 && !response.destroyed) {
          written += piece.length;
          if (!response.write(piece)) await new Promise((resolve) => response.once("drain", resolve).once("close", resolve));
        }
        finished = !response.destroyed;
        return void response.end("1]}");
      }
      if (path === "/v1/completions") return void writeSse(response, [textChunk("fine", "stop")]);
      response.writeHead(404).end();
    });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const long = "Tell me a long story about ".repeat(10);
    const response = await post(app, "/v1/completions", { model: "base", prompt: long });
    expect(response.status).toBe(502);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("upstream_bad_response");
    expect(error.message).toContain("bytes accepted");
    await expect.poll(() => finished || written > 0, { timeout: 5000 }).toBe(true);
    expect(finished).toBe(false);
    // Far less than 80 MB left the upstream before the proxy hung up (socket buffers included).
    expect(written).toBeLessThan(16 * 1024 * 1024);
    const short = (await (await post(app, "/v1/completions", { model: "base", prompt: "Hi" })).json()) as { choices: { text: string }[] };
    expect(short.choices[0]!.text).toBe("fine");
  });

  it("fails a stream that goes on without text past its byte bound", async () => {
    const upstream = await scripted({
      completions: async (_body, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        // Comments carry nothing; an endless run of them is no stream.
        const comment = `: ${"k".repeat(8190)}\n`;
        for (let index = 0; index < 4000 && !response.destroyed; index += 1) {
          if (!response.write(comment)) await new Promise((resolve) => response.once("drain", resolve).once("close", resolve));
        }
        response.end();
      },
    });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const response = await post(app, "/v1/completions", { model: "base", prompt: "Once", max_tokens: 4 });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("without finishing");
    await expect.poll(() => upstream.closedEarly, { timeout: 5000 }).toBe(1);
  });
});

describe("an upstream that redirects", () => {
  it("refuses a redirect to another origin, at start-up and per request, and never calls that origin", async () => {
    const elsewhere = await rawServer((_request, response) => void response.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"id":"evil"}]}'));
    const redirecting = await rawServer((request, response) => void response.writeHead(302, { location: `${elsewhere.url}${request.url}` }).end());
    const start = remoteApp(`${redirecting.url}/v1`);
    await expect(start).rejects.toThrow(/redirect from http:\/\/127\.0\.0\.1:\d+ to another origin/);

    const upstream = await scripted({ completions: (_body, response) => void response.writeHead(307, { location: `${elsewhere.url}/v1/completions` }).end() });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const response = await post(app, "/v1/completions", { model: "base", prompt: "Once" });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "upstream_bad_response", message: expect.stringContaining("another origin") });
    expect(elsewhere.paths).toEqual([]);
  });

  it("follows a 307 within the upstream's own origin", async () => {
    const upstream = await scripted({
      completions: (_body, response, request) => {
        if (request.url === "/v1/completions") return void response.writeHead(307, { location: "/v1/completions?moved=1" }).end();
        return writeSse(response, [textChunk("moved", "stop")]);
      },
    });
    const { app } = await remoteApp(`${upstream.url}/v1`);
    const body = (await (await post(app, "/v1/completions", { model: "base", prompt: "Once" })).json()) as { choices: { text: string }[] };
    expect(body.choices[0]!.text).toBe("moved");
  });
});

describe("/health follows the upstream", () => {
  it("answers 503 with the reason while the upstream is down, and 200 once it is back", async () => {
    const upstream = await scripted({});
    const port = Number(new URL(upstream.url).port);
    const { app, notices } = await remoteApp(`${upstream.url}/v1`, { healthIntervalMs: 100 });
    expect((await app.request("/health")).status).toBe(200);
    await upstream.close();
    await expect.poll(async () => (await app.request("/health")).status, { timeout: 10_000 }).toBe(503);
    const body = (await (await app.request("/health")).json()) as { status: string; reason: string; upstreams: { state: string; reason: string }[] };
    expect(body.status).toBe("unavailable");
    expect(body.reason).toContain(`${upstream.url}/v1`);
    expect(body.reason).toMatch(/ECONNREFUSED|unreachable|fetch failed/);
    expect(body.upstreams[0]!.state).toBe("down");
    // Requests meanwhile get a clear 502, not a hang.
    const failed = await post(app, "/v1/completions", { model: "base", prompt: "Once" });
    expect(failed.status).toBe(502);
    // The same address comes back.
    const again = createServer((request, response) => {
      if (request.url === "/health") return void response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      if (request.url === "/v1/models") return void response.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"id":"tiny-base"}]}');
      if (request.url === "/tokenize") return void response.writeHead(200, { "content-type": "application/json" }).end('{"tokens":[1,2]}');
      void writeSse(response, [textChunk("back", "stop")]);
    });
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => again.close(() => resolve())));
    await expect.poll(async () => (await app.request("/health")).status, { timeout: 10_000 }).toBe(200);
    const body2 = (await (await post(app, "/v1/completions", { model: "base", prompt: "Once" })).json()) as { choices: { text: string }[] };
    expect(body2.choices[0]!.text).toBe("back");
    expect(notices.some((line) => line.includes("is down"))).toBe(true);
    expect(notices.some((line) => line.includes("is up again"))).toBe(true);
  });
});
