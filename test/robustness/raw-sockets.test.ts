/**
 * Robustness over raw sockets, against `urial serve` as users run it (the
 * built CLI, the real engine on the test model, loopback): the requests a
 * `fetch`-based suite cannot send — bodies that trickle or stop short of their
 * Content-Length, unfinished or huge headers, bad percent-encoding, odd
 * methods, JSON nested 10,000 deep, a JSON schema with an enum of 100,000
 * strings, a page from another origin, a foreign Host — plus an exemplar file
 * deleted under a running experiment, and SIGTERM with requests running,
 * queued and still sending their body. Each must get an answer in OpenAI's
 * error shape with the right 4xx (never a 5xx, never a dropped connection)
 * within a bounded time, and the server must stay up and serve normally.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../support/run-cli.js";
import { killServeProcesses, startServeProcess, tinyServeFlags, waitHealthy, type ServeProcess } from "../support/start-serve-process.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { errorCode, head, jsonPost, rawRequest, type RawResponse } from "./support/raw-http.js";

afterAll(killServeProcesses);

/** `urial serve` with `args`, once /health says ok. */
async function startServe(args: string[]): Promise<ServeProcess> {
  const server = await startServeProcess(args);
  await waitHealthy(server);
  return server;
}

const tinyArgs = (exemplarsDir: string) => ["--model", testModelPath, ...tinyServeFlags(exemplarsDir), "--prefix-cache-max-bytes", "0"];

const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a fox." }], max_tokens: 8, temperature: 0, ...extra });

/** A JSON value nested `depth` arrays deep. */
const deepArray = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

function deepSchema(depth: number): string {
  let schema = '{"type":"string"}';
  for (let level = 0; level < depth; level += 1) schema = `{"type":"object","properties":{"a":${schema}}}`;
  return schema;
}

/** What every hostile request must get: the status, an OpenAI error body with the code, a closed (not reset) connection, in bounded time. */
function expectAnswered(response: RawResponse, status: number, code: string, withinMs = 10_000): void {
  expect({ status: response.status, code: errorCode(response), ended: response.ended }).toEqual({ status, code, ended: "closed" });
  expect(response.headers["content-type"]).toContain("application/json");
  expect(response.ms).toBeLessThan(withinMs);
}

describe.skipIf(!testModelExists)(modelSuiteTitle("raw-socket robustness (urial serve, real engine)"), () => {
  let served: ServeProcess;
  let exemplarsDir: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "urial-raw-"));
    exemplarsDir = join(dir, "exemplars");
    cpSync(join(repositoryRoot, "test/fixtures/exemplars"), exemplarsDir, { recursive: true });
    const experiments = join(dir, "experiments.json");
    writeFileSync(
      experiments,
      JSON.stringify({
        experiments: [
          {
            id: "ab",
            variants: [
              { name: "one", exemplars: "tiny" },
              { name: "two", exemplars: "tiny-two" },
            ],
          },
        ],
      }),
    );
    served = await startServe([
      ...tinyArgs(exemplarsDir),
      "--header-timeout",
      "1",
      "--body-timeout",
      "1",
      "--experiments",
      experiments,
      "--experiment-log",
      join(dir, "outcomes.jsonl"),
      "--log-prompts",
      "on",
      "--log-format",
      "json",
    ]);
  });

  it("answers a body that trickles, and one short of its Content-Length, with 408 at the body deadline", async () => {
    const body = chat();
    const trickle = await rawRequest(served.port, {
      head: head("POST", "/v1/chat/completions", { "content-type": "application/json", "content-length": body.length }),
      trickle: { pieces: body.split(""), everyMs: 100 },
    });
    expectAnswered(trickle, 408, "request_body_timeout", 6000);
    const short = await rawRequest(served.port, { head: head("POST", "/v1/chat/completions", { "content-type": "application/json", "content-length": 1000 }) + body.slice(0, 20) });
    expectAnswered(short, 408, "request_body_timeout", 6000);
  });

  it("answers headers that never finish with 408, and headers over 16 KiB with 431", async () => {
    const unfinished = await rawRequest(served.port, { head: "GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n", trickle: { pieces: Array.from({ length: 40 }, () => "x-slow: 1\r\n"), everyMs: 150 } });
    expectAnswered(unfinished, 408, "request_header_timeout", 8000);
    const huge = await rawRequest(served.port, { head: head("GET", "/health", { "x-big": "a".repeat(20_000) }) });
    expectAnswered(huge, 431, "headers_too_large");
    const many = await rawRequest(served.port, { head: head("GET", "/health", Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`x-h${index}`, "1"]))) });
    // 2,000 small headers: Node keeps the first 2,000 and serves, or refuses; never a 5xx or a dropped connection.
    expect([200, 400, 431]).toContain(many.status);
  });

  it("answers bad percent-encoding, odd methods and bytes that are not HTTP with 4xx", async () => {
    expectAnswered(await rawRequest(served.port, { head: head("GET", "/v1/models/%ZZ") }), 400, "invalid_path");
    expectAnswered(await rawRequest(served.port, { head: head("GET", "/v1/models/%E0%A4%A") }), 400, "invalid_path");
    expectAnswered(await rawRequest(served.port, { head: head("GET", "/v1/experiments/%ZZ") }), 404, "experiment_not_found");
    expectAnswered(await rawRequest(served.port, { head: head("GET", "/%ZZ%") }), 404, "not_found");
    expect((await rawRequest(served.port, { head: jsonPost("/v1/chat/completions?x=%ZZ", chat()) })).status).toBe(200);
    for (const method of ["PUT", "DELETE", "PATCH", "TRACE", "FOO"]) {
      const response = await rawRequest(served.port, { head: head(method, "/v1/chat/completions") });
      expect([method, response.status < 500 && response.status >= 400]).toEqual([method, true]);
    }
    const garbage = await rawRequest(served.port, { head: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n" });
    expectAnswered(garbage, 400, "bad_request");
  });

  it("answers JSON nested 10,000 deep with 400 on every route and walk (schema, content parts in an experiment, logging)", async () => {
    const deepContent = `{"model":"urial/ab/ab","messages":[{"role":"user","content":[{"type":"text","text":"hi","extra":${deepArray(10_000)}}]}],"max_tokens":4}`;
    const deepRequest = await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", deepContent, { "x-request-id": "deep-content-1" }) });
    expectAnswered(deepRequest, 400, "json_too_deep");
    const deepSchemaRequest = await rawRequest(served.port, {
      head: jsonPost("/v1/chat/completions", chat({ response_format: { type: "json_schema", json_schema: { name: "x", schema: "SCHEMA" } } }).replace('"SCHEMA"', deepSchema(5000))),
    });
    expectAnswered(deepSchemaRequest, 400, "json_too_deep");
    // Within the body bound but past the schema bound.
    expectAnswered(
      await rawRequest(served.port, {
        head: jsonPost("/v1/chat/completions", chat({ response_format: { type: "json_schema", json_schema: { name: "x", schema: JSON.parse(deepSchema(20)) as object } } })),
      }),
      400,
      "json_schema_too_large",
    );
    for (const path of ["/v1/completions", "/tokenize", "/v1/feedback"])
      expectAnswered(await rawRequest(served.port, { head: jsonPost(path, `{"prompt":${deepArray(10_000)}}`) }), 400, "json_too_deep");
    // The refused request is in the request log like any other.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(served.stdout()).toContain("deep-content-1");
  });

  it("refuses a 100,000-value enum schema at once with 400 while /health keeps answering", async () => {
    const values = Array.from({ length: 100_000 }, (_, index) => `value-${index}`);
    const body = chat({ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { enum: values } } } } } });
    const pending = rawRequest(served.port, { head: jsonPost("/v1/chat/completions", body), limitMs: 30_000 });
    const health = await rawRequest(served.port, { head: head("GET", "/health") });
    expect(health.status).toBe(200);
    expectAnswered(await pending, 400, "json_schema_too_large", 5000);
    // A schema at the bounds is served (a grammar of 1,000 values builds in well under a second).
    const allowed = chat({
      max_tokens: 6,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { enum: values.slice(0, 1000) } }, required: ["a"] } } },
    });
    const served1000 = await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", allowed), limitMs: 30_000 });
    expect(served1000.status).toBe(200);
  });

  it("refuses what a web page could send: text/plain, another origin, a foreign Host", async () => {
    expectAnswered(
      await rawRequest(served.port, { head: head("POST", "/v1/chat/completions", { "content-type": "text/plain", "content-length": chat().length }) + chat() }),
      415,
      "unsupported_content_type",
    );
    expectAnswered(await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", chat(), { origin: "https://evil.example" }) }), 403, "origin_not_allowed");
    expectAnswered(await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", chat(), { host: "evil.example:80", origin: "http://evil.example:80" }) }), 403, "host_not_allowed");
    const sameOrigin = await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", chat(), { host: `127.0.0.1:${served.port}`, origin: `http://127.0.0.1:${served.port}` }) });
    expect(sameOrigin.status).toBe(200);
  });

  it("keeps an experiment serving when a variant's exemplar file is deleted", async () => {
    const asTwo = () => rawRequest(served.port, { head: jsonPost("/v1/chat/completions", chat({ model: "urial/ab/ab" }), { "x-urial-variant": "two" }) });
    expect((await asTwo()).headers["x-urial-exemplar-set"]).toBe("tiny-two@1.0.0");
    rmSync(join(exemplarsDir, "tiny-two.json"));
    for (let attempt = 0; attempt < 100 && !served.stderr().includes("exemplars reloaded: tiny@"); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await asTwo();
    expect(after.status).toBe(200);
    expect(after.headers["x-urial-exemplar-set"]).toBe("tiny-two@1.0.0");
    expect(served.stderr()).toMatch(/variant 'two' uses exemplar set 'tiny-two', which the catalog no longer has; serving its last good version/);
  });

  it("is still up afterwards, serves normally, and counts the read timeouts in /metrics", async () => {
    expect(served.child.exitCode).toBeNull();
    const normal = await rawRequest(served.port, { head: jsonPost("/v1/chat/completions", chat()) });
    expect(normal.status).toBe(200);
    const metrics = await rawRequest(served.port, { head: head("GET", "/metrics") });
    expect(metrics.body).toMatch(/urial_request_read_timeouts_total\{phase="body"\} [2-9]/);
    expect(metrics.body).toMatch(/urial_request_read_timeouts_total\{phase="headers"\} [1-9]/);
    expect(metrics.body).toMatch(/urial_connection_errors_total\{reason="headers_too_large"\} [1-9]/);
    expect(served.stdout()).not.toMatch(/"status":5\d\d/);
    expect(served.stderr()).not.toMatch(/request \S+ failed/);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("SIGTERM answers every request (urial serve, real engine)"), () => {
  it("finishes or 503s the running request, 503s the queued ones and a body still arriving at once, then exits", async () => {
    const served = await startServe([...tinyArgs("test/fixtures/exemplars"), "--parallel", "1", "--max-queue", "8", "--shutdown-timeout", "4", "--body-timeout", "30"]);
    const long = JSON.stringify({ model: "base", prompt: "Once upon a time", n: 8, max_tokens: 480, temperature: 1, seed: 1 });
    const running = rawRequest(served.port, { head: jsonPost("/v1/completions", long), limitMs: 30_000 });
    const health = async () => JSON.parse((await rawRequest(served.port, { head: head("GET", "/health") })).body) as { busy_sequences?: number; queued?: number; [key: string]: unknown };
    const waitFor = async (check: (body: Awaited<ReturnType<typeof health>>) => boolean) => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        if (check(await health())) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    };
    expect(await waitFor((body) => body.busy_sequences === 1)).toBe(true);
    const arrival = (pending: Promise<RawResponse>) => pending.then((response) => ({ response, at: performance.now() }));
    const queued = [0, 1].map(() => arrival(rawRequest(served.port, { head: jsonPost("/v1/completions", long), limitMs: 30_000 })));
    expect(await waitFor((body) => body.queued === 2)).toBe(true);
    const body = chat();
    const arriving = arrival(
      rawRequest(served.port, { head: head("POST", "/v1/chat/completions", { "content-type": "application/json", "content-length": body.length }) + body.slice(0, 10), limitMs: 30_000 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalled = performance.now();
    served.child.kill("SIGTERM");

    const first = await running;
    const waiting = await Promise.all([...queued, arriving]);
    // The running request finished (200) or was stopped at the deadline (503 JSON): either way it got an answer.
    expect([200, 503]).toContain(first!.status);
    if (first!.status === 503) expect(errorCode(first!)).toBe("server_shutting_down");
    for (const { response, at } of waiting) {
      expect({ status: response.status, code: errorCode(response), ended: response.ended }).toEqual({ status: 503, code: "server_shutting_down", ended: "closed" });
      // At once, not at the 4 s shutdown deadline.
      expect(at - signalled).toBeLessThan(2500);
    }
    const exited = await served.exited;
    expect(exited.code).toBe(0);
    expect(served.stderr()).toMatch(/3 waiting \(body or queue\) answered 503 at once/);
  });
});
