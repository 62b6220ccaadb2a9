/**
 * The real download path — node-llama-cpp's resolver and downloader, our
 * probe, checks and cache — against a loopback HTTP server that serves the
 * tiny test model well and badly. Every failure must end in a clear message
 * with nothing half-written in the cache.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llamaModelFiles } from "../../src/engine/llama-model-files.js";
import { readCacheRecord } from "../../src/models/cache-record.js";
import type { DownloadSettings } from "../../src/models/download-settings.js";
import { fetchModel, type FetchModelOptions } from "../../src/models/fetch-model.js";
import { ModelFetchError } from "../../src/models/model-fetch-error.js";
import { parseModelReference, type RemoteReference } from "../../src/models/model-reference.js";
import type { PullEvent } from "../../src/models/pull-event.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { closedLoopbackPort, startModelServer, type ModelServer } from "./support/model-server.js";

const mib = 1024 * 1024;
let model: Buffer;
let modelSha: string;
let padded: Buffer;
let server: ModelServer;
let modelsDir: string;
/** A hub endpoint that is never contacted: plain-URL tests must not look like hub URLs (node-llama-cpp compares host names). */
let unusedHub: string;

function remote(value: string): RemoteReference {
  const reference = parseModelReference(value);
  if (reference.kind === "local") throw new Error(`${value} is not remote`);
  return reference;
}

function settings(overrides: Partial<DownloadSettings> = {}): DownloadSettings {
  return { hubEndpoint: unusedHub, hubToken: undefined, connectTimeoutMs: 5_000, stallTimeoutMs: 1_500, ...overrides };
}

function options(events: PullEvent[] = [], extra: Partial<FetchModelOptions> = {}): FetchModelOptions {
  return { modelsDir, files: llamaModelFiles, settings: settings(), onEvent: (event) => events.push(event), ...extra };
}

/** Files in the cache folder and in its staging folder. */
async function cacheContents(): Promise<{ cache: string[]; partial: string[] }> {
  const list = async (dir: string) =>
    (await readdir(dir, { withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  return { cache: await list(modelsDir), partial: await list(join(modelsDir, ".partial")) };
}

async function failure(promise: Promise<unknown>): Promise<ModelFetchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelFetchError);
  const message = (error as Error).message;
  expect(message.split("\n")).toHaveLength(1);
  return error as ModelFetchError;
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe.skipIf(!testModelExists)(modelSuiteTitle("pulling a model from a loopback server"), () => {
  beforeAll(async () => {
    model = await readFile(testModelPath);
    modelSha = sha(model);
    // Larger than the downloader's 5 MiB chunk, so an interrupted transfer has whole chunks to resume from.
    padded = Buffer.alloc(Math.round(12.5 * mib));
    model.copy(padded);
    unusedHub = `http://localhost:${await closedLoopbackPort()}/`;
    server = await startModelServer({
      "/files/stories260K.gguf": { body: model },
      "/norange/stories260K.gguf": { body: model, ranges: false },
      "/digest/stories260K.gguf": { body: model, headers: { "repr-digest": `sha-256=:${createHash("sha256").update(model).digest("base64")}:` } },
      "/badsha/stories260K.gguf": { body: model, headers: { "x-linked-etag": `"${"0".repeat(64)}"` } },
      "/notgguf/model.gguf": { body: Buffer.from("<!DOCTYPE html><html><body>Sign in to continue</body></html>\n".repeat(50)) },
      "/short/stories260K.gguf": { body: model.subarray(0, 600_000) },
      "/cut/stories260K.gguf": { body: model, cutAfter: 400_000 },
      "/grown/stories260K.gguf": { body: model, ranges: false, padFirstDownload: 63 },
      "/cut-norange/stories260K.gguf": { body: model, ranges: false, cutAfter: 400_000 },
      "/busy/stories260K.gguf": { status: 503 },
      "/big/padded.gguf": { body: padded, hold: { start: 0, bytes: mib } },
      // A Hugging Face hub in miniature: the manifest that resolves a quant tag, and the resolve route that redirects to storage with the sha256.
      "/v2/tester/stories-GGUF/manifests/F32": { json: { ggufFile: { rfilename: "stories260K-F32.gguf" } } },
      "/tester/stories-GGUF/resolve/main/stories260K-F32.gguf": {
        redirectTo: "/storage/stories260K.gguf",
        headers: { "x-linked-etag": `"${createHash("sha256").update(model).digest("hex")}"`, "x-linked-size": String(model.length) },
      },
      "/storage/stories260K.gguf": { body: model },
    });
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), "urial-models-"));
  });
  afterEach(async () => rm(modelsDir, { recursive: true, force: true }));

  it("downloads from a server with Range support, reports progress to the whole file, verifies it and records its source", async () => {
    const events: PullEvent[] = [];
    const url = server.url("/files/stories260K.gguf");
    const fetched = await fetchModel(remote(url), options(events));
    expect(fetched).toMatchObject({ name: "stories260K.gguf", cached: false, sha256Verified: false });
    expect(fetched.path).toBe(join(modelsDir, "stories260K.gguf"));
    expect(sha(await readFile(fetched.path))).toBe(modelSha);
    expect(events[0]).toMatchObject({ type: "start", name: "stories260K.gguf", total: model.length, resumedFrom: 0 });
    const progress = events.filter((event) => event.type === "progress");
    expect(progress.length).toBeGreaterThan(0);
    for (const event of progress) expect(event.downloaded).toBeLessThanOrEqual(model.length);
    expect(progress.at(-1)).toMatchObject({ downloaded: model.length, total: model.length });
    expect(events.slice(-2).map((event) => event.type)).toEqual(["verifying", "done"]);
    expect(await readCacheRecord(fetched.path)).toMatchObject({ source: url, size: model.length, sha256: null });
    expect(await cacheContents()).toEqual({ cache: ["stories260K.gguf", "stories260K.gguf.json"], partial: [] });
  });

  it("downloads from a server without Range support", async () => {
    const before = server.requests.length;
    const fetched = await fetchModel(remote(server.url("/norange/stories260K.gguf")), options());
    expect(sha(await readFile(fetched.path))).toBe(modelSha);
    expect(server.requests.slice(before).every((request) => request.range === undefined)).toBe(true);
    expect((await cacheContents()).partial).toEqual([]);
  });

  it("answers a second pull from the cache without sending a request", async () => {
    const url = server.url("/files/stories260K.gguf");
    const first = await fetchModel(remote(url), options());
    const before = server.requests.length;
    const events: PullEvent[] = [];
    const second = await fetchModel(remote(url), options(events));
    expect(second).toEqual({ ...first, cached: true });
    expect(server.requests.length).toBe(before);
    expect(events).toEqual([{ type: "cached", name: "stories260K.gguf", path: first.path, size: model.length }]);
  });

  it("checks the sha256 the server gives in Repr-Digest and records it", async () => {
    const events: PullEvent[] = [];
    const fetched = await fetchModel(remote(server.url("/digest/stories260K.gguf")), options(events));
    expect(fetched.sha256Verified).toBe(true);
    expect(events).toContainEqual({ type: "verifying", name: "stories260K.gguf", sha256: true });
    expect((await readCacheRecord(fetched.path))?.sha256).toBe(modelSha);
  });

  it("rejects a file whose sha256 differs from the source's, keeping nothing", async () => {
    const error = await failure(fetchModel(remote(server.url("/badsha/stories260K.gguf")), options()));
    expect(error.message).toContain("sha256 mismatch");
    expect(error.message).toContain(modelSha);
    expect(error.message).toContain("0".repeat(64));
    expect(await cacheContents()).toEqual({ cache: [], partial: [] });
  });

  it("rejects a file that is not a GGUF, keeping nothing", async () => {
    const error = await failure(fetchModel(remote(server.url("/notgguf/model.gguf")), options()));
    expect(error.message).toContain("not a GGUF model");
    expect(error.message).toContain("<!DOCTYPE");
    expect(await cacheContents()).toEqual({ cache: [], partial: [] });
  });

  it("downloads once more when a transfer comes out a different size than announced, and keeps only the good file", async () => {
    const before = server.requests.length;
    const fetched = await fetchModel(remote(server.url("/grown/stories260K.gguf")), options());
    expect(sha(await readFile(fetched.path))).toBe(modelSha);
    const gets = server.requests.slice(before).filter((request) => request.method === "GET" && request.path === "/grown/stories260K.gguf");
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(await cacheContents()).toEqual({ cache: ["stories260K.gguf", "stories260K.gguf.json"], partial: [] });
  });

  it("rejects a GGUF cut short even when the server's length matched it, keeping nothing", async () => {
    const error = await failure(fetchModel(remote(server.url("/short/stories260K.gguf")), options()));
    expect(error.message).toContain("incomplete");
    expect(error.message).toContain(`need ${model.length} bytes but it has 600000`);
    expect(await cacheContents()).toEqual({ cache: [], partial: [] });
  });

  for (const [label, path] of [
    ["with", "/cut/stories260K.gguf"],
    ["without", "/cut-norange/stories260K.gguf"],
  ] as const) {
    it(`stops a transfer whose body is cut off every time (${label} Range support) with a clear error, keeping nothing`, async () => {
      const error = await failure(fetchModel(remote(server.url(path)), options()));
      expect(error.message).toContain("the transfer stalled at");
      expect(error.message).toContain("no new data for 1.5 s");
      expect(error.message).toContain("Nothing was kept");
      expect(await cacheContents()).toEqual({ cache: [], partial: [] });
    });
  }

  it("fails fast on 404 and 503 without downloading", async () => {
    const missing = await failure(fetchModel(remote(server.url("/nothing-here.gguf")), options()));
    expect(missing.message).toContain("not found");
    expect(missing.message).toContain("HTTP 404");
    const busy = await failure(fetchModel(remote(server.url("/busy/stories260K.gguf")), options()));
    expect(busy.message).toContain("HTTP 503; try again later");
    expect(await cacheContents()).toEqual({ cache: [], partial: [] });
  });

  it("resumes an interrupted transfer with Range requests instead of starting over", async () => {
    const url = server.url("/big/padded.gguf");
    const journal = join(modelsDir, ".partial", "padded.gguf.ipull");
    const controller = new AbortController();
    const first = fetchModel(remote(url), options([], { signal: controller.signal, settings: settings({ stallTimeoutMs: 30_000 }) }));
    // The server holds the first chunk open; wait (bounded) until the downloader has recorded the other chunks as done.
    let recorded = false;
    for (let attempt = 0; attempt < 400 && !recorded; attempt += 1) {
      recorded = ((await stat(journal).catch(() => undefined))?.size ?? 0) > padded.length;
      if (!recorded) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(recorded).toBe(true);
    controller.abort();
    const interrupted = await failure(first);
    expect(interrupted.message).toContain("interrupted at");
    expect(interrupted.message).toContain("run the same command again to resume");
    expect(await cacheContents()).toEqual({ cache: [], partial: ["padded.gguf.ipull"] });

    server.routes["/big/padded.gguf"] = { body: padded };
    const requestsBefore = server.requests.length;
    const events: PullEvent[] = [];
    const resumed = await fetchModel(remote(url), options(events));
    expect(sha(await readFile(resumed.path))).toBe(sha(padded));
    // The bytes asked for again: fewer than the whole file, because the chunks done before are not requested.
    const requested = server.requests
      .slice(requestsBefore)
      .map((request) => /^bytes=(\d+)-(\d+)$/.exec(request.range ?? ""))
      .filter((match) => match !== null)
      .reduce((sum, match) => sum + Number(match[2]) - Number(match[1]) + 1, 0);
    expect(requested).toBeGreaterThan(0);
    expect(requested).toBeLessThan(padded.length);
    expect(events[0]).toMatchObject({ type: "start" });
    expect((events[0] as { resumedFrom: number }).resumedFrom).toBeGreaterThan(0);
    expect(await cacheContents()).toEqual({ cache: ["padded.gguf", "padded.gguf.json"], partial: [] });
  });

  it("pulls hf:<user>/<repo>/<file>.gguf from the hub endpoint, checking the hub's sha256 on its redirect", async () => {
    const fetched = await fetchModel(remote("hf:tester/stories-GGUF/stories260K-F32.gguf"), options([], { settings: settings({ hubEndpoint: server.origin }) }));
    expect(fetched.sha256Verified).toBe(true);
    expect(sha(await readFile(fetched.path))).toBe(modelSha);
    expect(await readCacheRecord(fetched.path)).toMatchObject({ source: "hf:tester/stories-GGUF/stories260K-F32.gguf", sha256: modelSha });
  });

  it("pulls hf:<user>/<repo>:<quant> through the hub's manifest, then finds it in the cache with the hub gone", async () => {
    const fetched = await fetchModel(remote("hf:tester/stories-GGUF:F32"), options([], { settings: settings({ hubEndpoint: server.origin }) }));
    expect(sha(await readFile(fetched.path))).toBe(modelSha);
    const offline = settings({ hubEndpoint: `http://127.0.0.1:${await closedLoopbackPort()}/` });
    const again = await fetchModel(remote("hf:tester/stories-GGUF:F32"), options([], { settings: offline }));
    expect(again).toMatchObject({ path: fetched.path, cached: true });
  });

  it("sends HF_TOKEN to the hub but never puts it in a message", async () => {
    const token = "hf_secretTOKEN123";
    const before = server.requests.length;
    const error = await failure(fetchModel(remote("hf:tester/stories-GGUF/missing.gguf"), options([], { settings: settings({ hubEndpoint: server.origin, hubToken: token }) })));
    expect(server.requests.slice(before).some((request) => request.authorization === `Bearer ${token}`)).toBe(true);
    expect(error.message).toContain("HTTP 404");
    expect(error.message).not.toContain(token);
  });
});

describe("pulling while offline", () => {
  beforeEach(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), "urial-models-"));
  });
  afterEach(async () => rm(modelsDir, { recursive: true, force: true }));

  it("fails fast for every kind of remote model, saying how to pass a local file", async () => {
    const port = await closedLoopbackPort();
    const offline: DownloadSettings = { hubEndpoint: `http://127.0.0.1:${port}/`, hubToken: undefined, connectTimeoutMs: 5_000, stallTimeoutMs: 5_000 };
    for (const value of ["hf:someone/Some-Model-GGUF/some-model-Q4_K_M.gguf", "hf:someone/Some-Model-GGUF:Q4_K_M", `http://127.0.0.1:${port}/model.gguf`]) {
      const error = await failure(fetchModel(remote(value), { modelsDir, files: llamaModelFiles, settings: offline }));
      expect(error.message).toContain(value);
      expect(error.message).toContain(`cannot reach 127.0.0.1:${port}`);
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.message).toContain("--model ./path/to/model.gguf");
      expect(error.message).toContain("URIAL_MODEL");
    }
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it("gives up on a server that accepts the connection but never answers after the connect time, asking once", async () => {
    let requests = 0;
    const silent = createServer(() => {
      requests += 1; // and never answer
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const hub: DownloadSettings = { hubEndpoint: `http://127.0.0.1:${port}/`, hubToken: undefined, connectTimeoutMs: 300, stallTimeoutMs: 5_000 };
      const error = await failure(fetchModel(remote("hf:someone/Some-Model-GGUF:Q4_K_M"), { modelsDir, files: llamaModelFiles, settings: hub }));
      expect(error.message).toContain(`cannot reach 127.0.0.1:${port} to download it (no answer within 0.3 s)`);
      expect(error.message).toContain("--model ./path/to/model.gguf");
      expect(requests).toBe(1);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
