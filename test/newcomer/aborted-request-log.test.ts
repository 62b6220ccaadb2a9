/**
 * The request log marks requests stopped before their answer was complete,
 * with the cause: a client that disconnects mid-stream (over a real socket,
 * status still 200), and a request stopped at the wall-clock limit.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { formatPrettyLine, toRequestLogEntry } from "../../src/telemetry/format-request-log.js";
import type { RequestRecord } from "../../src/telemetry/request-record.js";
import { FakeEngine } from "../support/fake-engine.js";
import { serveApp } from "../support/serve-app.js";

async function build(engine: FakeEngine, requestTimeoutMs = 0) {
  const catalog = await loadCatalog({
    exemplarsDir: fileURLToPath(new URL("../fixtures/exemplars", import.meta.url)),
    systemPromptsDir: fileURLToPath(new URL("../fixtures/system-prompts", import.meta.url)),
    defaultSet: "tiny",
  });
  const records: RequestRecord[] = [];
  const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20, limits: { requestTimeoutMs }, onRequestDone: (record) => records.push(record) });
  return { app, records };
}

const waitFor = async (condition: () => boolean) => {
  const until = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const chat = { model: "urial", messages: [{ role: "user", content: "Hi" }], stream: true };

describe("request log: aborted requests", () => {
  it("marks a stream whose client disconnected: status 200, aborted client_disconnected, in JSON and pretty lines", async () => {
    const engine = new FakeEngine({ script: "z".repeat(2000), tokenDelayMs: 3 });
    const { app, records } = await build(engine);
    const served = await serveApp(app);
    try {
      const controller = new AbortController();
      const response = await fetch(`${served.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chat), signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      await waitFor(() => engine.calls.length === 1 && engine.lastCall().tokens >= 5);
      controller.abort();
      await waitFor(() => records.length === 1);
      const entry = toRequestLogEntry(records[0]!);
      expect(entry).toMatchObject({ status: 200, aborted: "client_disconnected", level: "warn" });
      expect(formatPrettyLine(entry)).toContain(" · ABORTED (client disconnected) · ");
    } finally {
      await served.close();
    }
  });

  it("marks a request stopped at the wall-clock limit as aborted by timeout, and a finished one not at all", async () => {
    const { app, records } = await build(new FakeEngine({ script: "z".repeat(2000), tokenDelayMs: 3 }), 150);
    const response = await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...chat, stream: false }) });
    expect(response.status).toBe(504);
    await waitFor(() => records.length === 1);
    expect(toRequestLogEntry(records[0]!)).toMatchObject({ status: 504, aborted: "timeout" });
    const quick = await build(new FakeEngine({ script: "ok" }));
    await (await quick.app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chat) })).text();
    await waitFor(() => quick.records.length === 1);
    expect(toRequestLogEntry(quick.records[0]!).aborted).toBeUndefined();
  });
});
