/**
 * Browser safety in a real browser (headless Debian Chromium): a page from
 * another origin cannot make a keyless server generate — not with a
 * `text/plain` no-cors fetch, a form post, or a JSON fetch (its preflight is
 * not answered) — and a DNS-rebinding page (another name resolving to
 * 127.0.0.1) is refused by Host; a page the server itself serves calls the
 * API with fetch and application/json and gets its answer. The fake engine
 * counts generations, so "not served" is measured, not assumed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { defaultAllowedHosts } from "../../src/server/middleware/browser-guard.js";
import { FakeEngine } from "../support/fake-engine.js";
import { serveApp, type ServedApp } from "../support/serve-app.js";
import { browserSuiteTitle, chromiumExists, chromiumPath } from "../shift/support/chromium.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const chatBody = JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a fox." }], max_tokens: 4 });

/** The page a served playground would be: it calls the API on its own origin. */
const ownPage = `<!doctype html><title>own</title><script>
window.callApi = async () => {
  const response = await fetch("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: ${JSON.stringify(chatBody)} });
  return { status: response.status, body: await response.text() };
};
</script>`;

/** The other site's page: the three ways a page can send a POST to another origin. */
const attackerPage = `<!doctype html><title>elsewhere</title><script>
window.attack = async (target, body) => {
  const results = [];
  // A "simple" request: no preflight; the browser sends it and hides the answer.
  await fetch(target + "/v1/chat/completions", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body }).then(
    () => results.push("no-cors sent"),
    () => results.push("no-cors failed"),
  );
  // A JSON fetch needs a preflight, which the server does not grant.
  await fetch(target + "/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body }).then(
    (response) => results.push("json " + response.status),
    () => results.push("json blocked"),
  );
  // A form post (enctype text/plain makes a JSON-looking body) into a hidden frame.
  const frame = document.createElement("iframe");
  frame.name = "sink";
  document.body.append(frame);
  const form = document.createElement("form");
  form.method = "POST";
  form.action = target + "/v1/chat/completions";
  form.enctype = "text/plain";
  form.target = "sink";
  const input = document.createElement("input");
  input.name = body.slice(0, -1);
  input.value = "}";
  form.append(input);
  document.body.append(form);
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  form.submit();
  await loaded;
  results.push("form posted");
  return results;
};
</script>`;

describe.skipIf(!chromiumExists)(browserSuiteTitle("browser safety in headless Chromium"), () => {
  let browser: Browser;
  let engine: FakeEngine;
  let api: ServedApp;
  let attacker: Server;
  let attackerUrl: string;

  beforeAll(async () => {
    const catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
    engine = new FakeEngine();
    const app = new Hono();
    app.get("/", (c) => c.html(ownPage));
    app.route("/", createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, allowedHosts: defaultAllowedHosts("127.0.0.1", undefined) }));
    api = await serveApp(app);
    attacker = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end(attackerPage));
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // evil.test resolves to 127.0.0.1, as a DNS-rebinding name would after its switch.
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP evil.test 127.0.0.1"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  it("a page from another origin cannot make the server generate", async () => {
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const before = engine.calls.length;
    const outcomes = (await page.evaluate(`attack(${JSON.stringify(api.url)}, ${JSON.stringify(chatBody)})`)) as string[];
    expect(outcomes).toEqual(["no-cors sent", "json blocked", "form posted"]);
    expect(engine.calls.length).toBe(before);
    await page.close();
  });

  it("a DNS-rebinding page (another name for 127.0.0.1) is refused by Host", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`http://evil.test:${api.port}/v1/models`);
    expect(response?.status()).toBe(403);
    expect(await response?.text()).toContain("host_not_allowed");
    await page.close();
  });

  it("a page the server serves calls the API with fetch and application/json", async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/`);
    const before = engine.calls.length;
    const result = (await page.evaluate("callApi()")) as { status: number; body: string };
    expect(result.status).toBe(200);
    expect((JSON.parse(result.body) as { object: string }).object).toBe("chat.completion");
    expect(engine.calls.length).toBe(before + 1);
    await page.close();
  });
});
