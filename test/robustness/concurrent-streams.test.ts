/**
 * Robustness: waves of 200 concurrent streaming clients against a small pool
 * (2 sequences, 8 waiting) on the real engine over loopback. No crash; the
 * overflow gets 429 with Retry-After; every accepted stream completes with
 * [DONE]; nothing leaks; resident memory stays bounded from wave to wave.
 * Prints the figures. Skipped, visibly, without the test model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelSuiteTitle, testModelExists } from "../support/test-model.js";
import { heapMiB, printFigures, residentMiB, robustnessKey, startRobustnessServer, type RobustnessServer } from "./support/robustness-server.js";

const clients = 200;
const waves = 5;
const parallel = 2;
const maxQueue = 8;

interface StreamOutcome {
  status: number;
  done: boolean;
  chunks: number;
  retryAfter: string | null;
  code?: string;
  crash?: string;
}

async function streamOnce(server: RobustnessServer, index: number): Promise<StreamOutcome> {
  try {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${robustnessKey}` },
      body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: `Tell me about dog number ${index}.` }], max_tokens: 32, temperature: 0.7, seed: index, stream: true }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (response.status !== 200) {
      return { status: response.status, done: false, chunks: 0, retryAfter: response.headers.get("retry-after"), code: (JSON.parse(text) as { error: { code: string } }).error.code };
    }
    const data = text.split("\n\n").filter((block) => block.startsWith("data: "));
    return { status: 200, done: data.at(-1) === "data: [DONE]", chunks: data.length, retryAfter: null };
  } catch (error) {
    return { status: 0, done: false, chunks: 0, retryAfter: null, crash: String((error as { cause?: unknown }).cause ?? error) };
  }
}

describe.skipIf(!testModelExists)(modelSuiteTitle("robustness: 200 concurrent streaming clients (real engine, loopback)"), () => {
  let server: RobustnessServer;

  beforeAll(async () => {
    server = await startRobustnessServer({ parallel, maxQueue });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("accepts what the pool and queue hold, answers the rest 429, completes every accepted stream, and stays bounded", async () => {
    const memory: number[] = [residentMiB()];
    const heap: number[] = [heapMiB()];
    const perWave: string[] = [];
    const all: StreamOutcome[] = [];
    for (let wave = 0; wave < waves; wave += 1) {
      const outcomes = await Promise.all(Array.from({ length: clients }, (_, index) => streamOnce(server, wave * clients + index)));
      all.push(...outcomes);
      memory.push(residentMiB());
      heap.push(heapMiB());
      const accepted = outcomes.filter((outcome) => outcome.status === 200).length;
      perWave.push(`${accepted} streamed, ${outcomes.filter((outcome) => outcome.status === 429).length} × 429`);
    }
    const metrics = await server.scrape();
    const accepted = all.filter((outcome) => outcome.status === 200);
    const rejected = all.filter((outcome) => outcome.status === 429);
    const other = all.filter((outcome) => outcome.status !== 200 && outcome.status !== 429);
    const leaks = {
      busy_sequences: metrics.value("urial_busy_sequences"),
      queue_depth: metrics.value("urial_queue_depth"),
      in_flight_besides_the_scrape: (metrics.value("urial_in_flight_requests") ?? 0) - 1,
    };
    printFigures(`${waves} waves of ${clients} concurrent streaming clients (--parallel ${parallel}, --max-queue ${maxQueue})`, {
      "requests tried": all.length,
      "streams accepted": accepted.length,
      "completed with [DONE]": accepted.filter((outcome) => outcome.done).length,
      "429 queue_full": rejected.length,
      "other statuses": other.map((outcome) => outcome.status),
      crashes: all.filter((outcome) => outcome.crash !== undefined).length,
      "5xx": all.filter((outcome) => outcome.status >= 500).length,
      "server errors reported": server.serverErrors.length,
      "per wave": perWave,
      "resident memory per wave (MiB)": memory,
      "JS heap per wave (MiB)": heap,
      "leaks after": leaks,
      "server metric: 429s counted": metrics.value("urial_requests_total", { status: "429" }),
    });

    expect(all.filter((outcome) => outcome.crash !== undefined).map((outcome) => outcome.crash)).toEqual([]);
    expect(other).toEqual([]);
    expect(accepted.length + rejected.length).toBe(clients * waves);
    // Each wave fills both sequences and the whole queue before anything is refused.
    expect(accepted.length).toBeGreaterThanOrEqual(waves * (parallel + maxQueue));
    expect(rejected.length).toBeGreaterThan(0);
    expect(accepted.every((outcome) => outcome.done && outcome.chunks >= 2)).toBe(true);
    expect(rejected.every((outcome) => outcome.code === "queue_full" && outcome.retryAfter === "1")).toBe(true);
    expect(metrics.value("urial_requests_total", { status: "429" })).toBe(rejected.length);
    expect(server.serverErrors).toEqual([]);
    expect(leaks).toEqual({ busy_sequences: 0, queue_depth: 0, in_flight_besides_the_scrape: 0 });
    // Bounded: after the first wave has warmed everything up, four more waves
    // of 200 keep (almost) nothing: a leaked stream, request or sequence per
    // client would keep megabytes.
    expect(heap.at(-1)! - heap[1]!).toBeLessThan(8);
    expect(memory.at(-1)! - memory[1]!).toBeLessThan(64);
  });
});
