/**
 * @module test/robustness/support/robustness-server
 * The server the robustness suite attacks: the real engine (stories260K, one
 * thread, 512-token context) behind the whole app, API key required, served
 * on loopback. Everything it counts (server errors, request records, `/metrics`)
 * is there to be checked and printed.
 */
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { Engine } from "../../../src/engine/engine.js";
import { startLlamaEngine } from "../../../src/engine/llama-engine.js";
import { RequestTracker } from "../../../src/lifecycle/request-tracker.js";
import type { RequestLimits } from "../../../src/answer/request-limits.js";
import { createApp } from "../../../src/server/app.js";
import { ServerMetrics } from "../../../src/telemetry/server-metrics.js";
import { parsePrometheusText, sampleValue } from "../../support/prometheus-text.js";
import { serveApp, type ServedApp } from "../../support/serve-app.js";
import { testEngineSettings, testModelPath } from "../../support/test-model.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

/** The key every robustness request sends (unless it tests auth). */
export const robustnessKey = "sk-robustness-0123456789abcdef";

export interface RobustnessServer {
  url: string;
  engine: Engine;
  tracker: RequestTracker;
  served: ServedApp;
  /** Requests that ended in a 5xx (or a failure inside a stream), with their errors. */
  serverErrors: unknown[];
  /** Requests the server finished (counted, not kept: keeping them would look like a leak). */
  finishedRequests(): number;
  /** `/metrics`, parsed; `value(name)` sums a metric's samples. */
  scrape(): Promise<{ value(name: string, labels?: Record<string, string>): number | undefined }>;
  close(): Promise<void>;
}

export interface RobustnessServerOptions {
  parallel: number;
  maxQueue: number;
  limits?: Partial<RequestLimits>;
  /** Another engine (a remote one); defaults to the real local engine. */
  engine?: Engine;
}

export async function startRobustnessServer(options: RobustnessServerOptions): Promise<RobustnessServer> {
  const engine = options.engine ?? (await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: options.parallel, maxQueue: options.maxQueue }));
  const catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
  const tracker = new RequestTracker();
  const metrics = new ServerMetrics({ engine: () => engine, inFlight: () => tracker.inFlight, processMetrics: true });
  const serverErrors: unknown[] = [];
  let finished = 0;
  const app = createApp({
    engine: () => engine,
    catalog,
    systemMessageMode: "append",
    maxBodyBytes: 4 * 1024 * 1024,
    apiKeys: [robustnessKey],
    tracker,
    metrics,
    ...(options.limits ? { limits: options.limits } : {}),
    onServerError: (_requestId, error) => serverErrors.push(error),
    onRequestDone: () => {
      finished += 1;
    },
  });
  const served = await serveApp(app);
  return {
    url: served.url,
    engine,
    tracker,
    served,
    serverErrors,
    finishedRequests: () => finished,
    async scrape() {
      const response = await fetch(`${served.url}/metrics`, { headers: { authorization: `Bearer ${robustnessKey}` } });
      const samples = parsePrometheusText(await response.text());
      return { value: (name, labels) => sampleValue(samples, name, labels) };
    },
    async close() {
      await served.close();
      await engine.dispose();
    },
  };
}

/** Prints a block of figures into the test output (CI logs keep them). */
export function printFigures(title: string, figures: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  console.log(`\n[robustness] ${title}\n${lines.join("\n")}\n`);
}

/** Runs `tasks` with at most `limit` at once. */
export async function runLimited<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next;
        next += 1;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

/** Median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
}

/** Node's garbage collector, reached without --expose-gc, so memory figures show what is really kept. */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** Resident memory of this process in MiB (after a full garbage collection). */
export function residentMiB(): number {
  collectGarbage();
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}

/** JavaScript heap in use, in MiB, after a full garbage collection. */
export function heapMiB(): number {
  collectGarbage();
  collectGarbage();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}
