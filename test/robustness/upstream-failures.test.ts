/**
 * Robustness of the remote engine: its upstream down, slow, or answering
 * garbage. Every failure must end, within a bounded time, as a proper OpenAI
 * error — 502 (down, broken, garbage), 504 (too slow), 503 (busy), or an error
 * event when the stream had already begun — and leave nothing busy. Uses
 * scripted OpenAI-compatible servers on loopback. Prints the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { startRemoteEngine } from "../../src/engine/remote/remote-engine.js";
import { markCompleted, startScriptedUpstream, streamPieces, textChunk, writeSse, type CompletionsHandler, type ScriptedUpstream } from "../support/scripted-upstream.js";
import { printFigures, robustnessKey, startRobustnessServer, type RobustnessServer } from "./support/robustness-server.js";

const upstreamTimeoutMs = 300;

interface Scenario {
  name: string;
  handler: CompletionsHandler;
  /** Expected status and error code, non-streamed and streamed. */
  plain: [number, string];
  streamed: [number, string];
}

const hang = (response: ServerResponse) => new Promise<void>((resolve) => response.on("close", () => resolve()));

const scenarios: Scenario[] = [
  { name: "connection reset before any answer", handler: (_body, response) => void response.socket?.destroy(), plain: [502, "upstream_unavailable"], streamed: [502, "upstream_unavailable"] },
  { name: "no answer (headers never come)", handler: (_body, response) => hang(response), plain: [504, "upstream_timeout"], streamed: [504, "upstream_timeout"] },
  {
    name: "headers, then silence",
    handler: async (_body, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.flushHeaders();
      await hang(response);
    },
    plain: [504, "upstream_timeout"],
    streamed: [504, "upstream_timeout"],
  },
  {
    name: "a first chunk, then silence",
    handler: async (_body, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify(textChunk("Sure! Once upon a time"))}\n\n`);
      await hang(response);
    },
    plain: [504, "upstream_timeout"],
    streamed: [200, "upstream_timeout"],
  },
  {
    name: "HTML instead of a stream",
    handler: (_body, response) => {
      markCompleted(response);
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html><body>Bad gateway</body></html>");
    },
    plain: [502, "upstream_bad_response"],
    streamed: [502, "upstream_bad_response"],
  },
  { name: "data that is not JSON", handler: (_body, response) => writeSse(response, ["<<garbage>>"]), plain: [502, "upstream_bad_response"], streamed: [502, "upstream_bad_response"] },
  {
    name: "JSON that is no completions chunk",
    handler: (_body, response) => writeSse(response, [{ hello: "world" }]),
    plain: [502, "upstream_bad_response"],
    streamed: [502, "upstream_bad_response"],
  },
  {
    name: "garbage after a good chunk",
    handler: (_body, response) => writeSse(response, [textChunk("Sure! Once upon a time"), "}}}{{{"]),
    plain: [502, "upstream_bad_response"],
    streamed: [200, "upstream_bad_response"],
  },
  {
    name: "HTTP 500",
    handler: (_body, response) => {
      markCompleted(response);
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: "CUDA out of memory" } }));
    },
    plain: [502, "upstream_error"],
    streamed: [502, "upstream_error"],
  },
  {
    name: "HTTP 429 with Retry-After",
    handler: (_body, response) => {
      markCompleted(response);
      response.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      response.end(JSON.stringify({ error: { message: "slow down" } }));
    },
    plain: [503, "upstream_busy"],
    streamed: [503, "upstream_busy"],
  },
  {
    name: "HTTP 400 (the upstream refuses the prompt)",
    handler: (_body, response) => {
      markCompleted(response);
      response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "error", message: "This model's maximum context length is 2048 tokens." }));
    },
    plain: [400, "upstream_rejected"],
    streamed: [400, "upstream_rejected"],
  },
  {
    name: "an error event instead of text",
    handler: (_body, response) => writeSse(response, [{ error: { message: "engine died" } }], { done: false }),
    plain: [502, "upstream_error"],
    streamed: [502, "upstream_error"],
  },
  {
    name: "closed before finishing (no finish, no [DONE])",
    handler: (_body, response) => writeSse(response, [textChunk("Sure! Once upon")], { done: false }),
    plain: [502, "upstream_bad_response"],
    streamed: [200, "upstream_bad_response"],
  },
  {
    name: "connection reset mid-stream",
    handler: async (_body, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify(textChunk("Sure! Once upon a time"))}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      response.socket?.destroy();
    },
    plain: [502, "upstream_unavailable"],
    streamed: [200, "upstream_unavailable"],
  },
];

interface Result {
  status: number;
  code: string | null;
  ms: number;
  crash?: string;
}

async function ask(server: RobustnessServer, stream: boolean): Promise<Result> {
  const started = performance.now();
  try {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${robustnessKey}` },
      body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a dog." }], max_tokens: 16, temperature: 0, stream }),
      // A bounded wait: an answer that never comes is a hang, reported below.
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let code: string | null = null;
    if (response.status !== 200) code = (JSON.parse(text) as { error: { code: string } }).error.code;
    else if (!stream) code = (JSON.parse(text) as { choices: unknown[] }).choices.length > 0 ? "ok" : "no choices";
    else {
      const last =
        text
          .split("\n\n")
          .filter((block) => block.startsWith("data: "))
          .at(-1) ?? "";
      code = last === "data: [DONE]" ? "done" : ((JSON.parse(last.slice(6)) as { error?: { code: string } }).error?.code ?? "no error event");
    }
    return { status: response.status, code, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 0, code: null, ms: Math.round(performance.now() - started), crash: String((error as { cause?: unknown }).cause ?? error) };
  }
}

describe("robustness: upstream failures behind the remote engine (loopback)", () => {
  let upstream: ScriptedUpstream;
  let server: RobustnessServer;

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ maxModelLen: 2048 });
    const engine = await startRemoteEngine({ url: upstream.url, parallel: 2, maxQueue: 8, timeoutMs: upstreamTimeoutMs });
    server = await startRobustnessServer({ parallel: 2, maxQueue: 8, engine });
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("maps every failure to 502/503/504 (or an error event once streaming), without hanging or leaking", async () => {
    const rows: Record<string, string> = {};
    const problems: string[] = [];
    let tried = 0;
    const byStatus: Record<string, number> = {};
    for (const scenario of scenarios) {
      upstream.setCompletions(scenario.handler);
      for (const [stream, expected] of [
        [false, scenario.plain],
        [true, scenario.streamed],
      ] as const) {
        for (let repeat = 0; repeat < 3; repeat += 1) {
          const result = await ask(server, stream);
          tried += 1;
          byStatus[result.status] = (byStatus[result.status] ?? 0) + 1;
          if (result.crash !== undefined || result.status !== expected[0] || result.code !== expected[1]) {
            problems.push(`${scenario.name} (${stream ? "stream" : "plain"}): got ${result.status} ${result.code} ${result.crash ?? ""}, expected ${expected.join(" ")}`);
          }
          if (repeat === 0) rows[`  ${scenario.name} · ${stream ? "stream" : "plain"}`] = `${result.status} ${result.code} in ${result.ms} ms`;
        }
      }
    }
    // The retry hint of a busy upstream is passed on.
    upstream.setCompletions(scenarios.find((scenario) => scenario.name.startsWith("HTTP 429"))!.handler);
    const busy = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${robustnessKey}` },
      body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("7");

    // The upstream recovers: a normal request is served again.
    upstream.setCompletions(streamPieces(["Sure!", " A dog."]));
    const recovered = await ask(server, false);
    const recoveredStream = await ask(server, true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const metrics = await server.scrape();
    const leaks = {
      busy_sequences: metrics.value("urial_busy_sequences"),
      queue_depth: metrics.value("urial_queue_depth"),
      in_flight_besides_the_scrape: (metrics.value("urial_in_flight_requests") ?? 0) - 1,
      upstream_requests_still_open: upstream.open,
    };
    printFigures("upstream failures (remote engine, upstream timeout 300 ms)", {
      "requests tried": tried,
      "answers by status": byStatus,
      crashes: problems.filter((problem) => problem.includes("Error")).length,
      "unexpected answers": problems.length,
      "server errors reported (5xx and stream failures)": server.serverErrors.length,
      "after recovery": `${recovered.status} ${recovered.code}, stream ${recoveredStream.status} ${recoveredStream.code}`,
      leaks,
      ...rows,
    });
    expect(problems).toEqual([]);
    expect(recovered, recovered.crash).toMatchObject({ status: 200, code: "ok" });
    expect(recoveredStream).toMatchObject({ status: 200, code: "done" });
    expect(leaks).toEqual({ busy_sequences: 0, queue_depth: 0, in_flight_besides_the_scrape: 0, upstream_requests_still_open: 0 });
  });

  it("answers 502 when the upstream went away entirely (nothing listens any more)", async () => {
    const gone = await startScriptedUpstream();
    const engine = await startRemoteEngine({ url: gone.url, parallel: 1, maxQueue: 0, timeoutMs: upstreamTimeoutMs });
    const lonely = await startRobustnessServer({ parallel: 1, maxQueue: 0, engine });
    try {
      await gone.close();
      const results = [await ask(lonely, false), await ask(lonely, true)];
      printFigures("upstream down", { answers: results.map((result) => `${result.status} ${result.code} in ${result.ms} ms`) });
      expect(results.map((result) => [result.status, result.code])).toEqual([
        [502, "upstream_unavailable"],
        [502, "upstream_unavailable"],
      ]);
      expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
    } finally {
      await lonely.close();
    }
  });
});
