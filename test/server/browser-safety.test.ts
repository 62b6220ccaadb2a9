/**
 * Browser safety by default: a web page in the operator's browser must not
 * be able to drive a keyless server. Non-JSON content types are refused on
 * JSON routes (415), other web origins are refused unless --cors-origin
 * allows them (403), and a server bound to loopback answers only loopback or
 * configured Host names (403: DNS rebinding). The server's own origin (a page
 * it serves, calling the API with fetch and application/json) is allowed.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { AppDeps } from "../../src/server/app-deps.js";
import { createApp } from "../../src/server/app.js";
import { defaultAllowedHosts } from "../../src/server/middleware/browser-guard.js";
import { FakeEngine } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});

function build(deps: Partial<AppDeps> = {}) {
  const engine = new FakeEngine();
  const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, allowedHosts: defaultAllowedHosts("127.0.0.1", undefined), ...deps });
  return { app, engine };
}

const chatBody = JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about a fox." }], max_tokens: 4 });

async function post(app: ReturnType<typeof build>["app"], headers: Record<string, string>, path = "/v1/chat/completions", body = chatBody) {
  const response = await app.request(`http://127.0.0.1:8080${path}`, { method: "POST", headers: { host: "127.0.0.1:8080", ...headers }, body });
  const text = await response.text();
  return { status: response.status, code: response.status >= 400 ? (JSON.parse(text) as { error: { code: string } }).error.code : null, text };
}

describe("content types on JSON routes", () => {
  it("refuses the content types a page can send cross-origin without a preflight, on every JSON route, before generating", async () => {
    const { app, engine } = build();
    for (const path of ["/v1/chat/completions", "/v1/completions", "/tokenize", "/v1/feedback"]) {
      for (const contentType of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        const answer = await post(app, { "content-type": contentType }, path);
        expect([path, contentType, answer.status, answer.code]).toEqual([path, contentType, 415, "unsupported_content_type"]);
      }
      const missing = await post(app, {}, path);
      expect(missing.status).toBe(415);
    }
    expect(engine.calls).toHaveLength(0);
  });

  it("accepts application/json with parameters and +json types", async () => {
    const { app } = build();
    expect((await post(app, { "content-type": "application/json" })).status).toBe(200);
    expect((await post(app, { "content-type": "Application/JSON; charset=utf-8" })).status).toBe(200);
    expect((await post(app, { "content-type": "application/vnd.api+json" })).status).toBe(200);
  });
});

describe("web origins", () => {
  const json = { "content-type": "application/json" };

  it("refuses another origin, a null origin and a cross-site fetch without Origin, and says how to allow one", async () => {
    const { app, engine } = build();
    const evil = await post(app, { ...json, origin: "https://evil.example" });
    expect([evil.status, evil.code]).toEqual([403, "origin_not_allowed"]);
    expect(evil.text).toContain("--cors-origin https://evil.example");
    expect((await post(app, { ...json, origin: "null" })).status).toBe(403);
    // Another port on the same host is another origin.
    expect((await post(app, { ...json, origin: "http://127.0.0.1:3000" })).status).toBe(403);
    expect((await post(app, { ...json, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(engine.calls).toHaveLength(0);
  });

  it("serves the server's own origin (a page it serves, using fetch with application/json)", async () => {
    const { app } = build();
    const same = await post(app, { ...json, origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-origin" });
    expect(same.status).toBe(200);
    const localhost = await app.request("http://localhost:8080/v1/chat/completions", { method: "POST", headers: { host: "localhost:8080", origin: "http://localhost:8080", ...json }, body: chatBody });
    expect(localhost.status).toBe(200);
  });

  it("serves origins that --cors-origin allows, and any with '*'", async () => {
    const listed = build({ corsOrigins: ["https://chat.example.com"] });
    expect((await post(listed.app, { ...json, origin: "https://chat.example.com" })).status).toBe(200);
    expect((await post(listed.app, { ...json, origin: "https://other.example.com" })).status).toBe(403);
    const any = build({ corsOrigins: ["*"] });
    expect((await post(any.app, { ...json, origin: "https://other.example.com" })).status).toBe(200);
  });

  it("serves clients that are not browsers (no Origin) as before", async () => {
    const { app } = build();
    expect((await post(app, json)).status).toBe(200);
  });
});

describe("Host names (DNS rebinding)", () => {
  const json = { "content-type": "application/json" };
  const withHost = (app: ReturnType<typeof build>["app"], host: string) => app.request(`http://${host}/v1/models`, { headers: { host } });

  it("when bound to loopback, answers loopback names only, unless more are configured", async () => {
    const { app } = build();
    for (const host of ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "app.localhost:8080"]) expect([host, (await withHost(app, host)).status]).toEqual([host, 200]);
    for (const host of ["evil.example:8080", "evil.example", "127.0.0.1.evil.example:8080", "localhost.evil.example"]) {
      const response = await withHost(app, host);
      expect([host, response.status]).toEqual([host, 403]);
      expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "host_not_allowed", message: expect.stringContaining("--allowed-host") });
    }
    // A DNS-rebinding page is same-origin with itself: its Origin matches its Host, and the Host is what gives it away.
    const rebound = await post(build().app, { ...json, host: "evil.example:8080", origin: "http://evil.example:8080" });
    expect(rebound.status).toBe(403);

    const configured = build({ allowedHosts: defaultAllowedHosts("127.0.0.1", ["urial.internal"]) });
    expect((await withHost(configured.app, "urial.internal:8080")).status).toBe(200);
    expect((await withHost(configured.app, "localhost:8080")).status).toBe(200);
    const anyHost = build({ allowedHosts: defaultAllowedHosts("127.0.0.1", ["*"]) });
    expect((await withHost(anyHost.app, "evil.example")).status).toBe(200);
  });

  it("checks no Host when bound to other addresses unless hosts are configured", () => {
    expect(defaultAllowedHosts("127.0.0.1", undefined)).toEqual(["localhost", "127.0.0.1", "::1"]);
    expect(defaultAllowedHosts("::1", undefined)).toEqual(["localhost", "127.0.0.1", "::1"]);
    expect(defaultAllowedHosts("localhost", undefined)).toEqual(["localhost", "127.0.0.1", "::1"]);
    expect(defaultAllowedHosts("0.0.0.0", undefined)).toBeUndefined();
    expect(defaultAllowedHosts("10.0.0.5", ["api.example.com"])).toEqual(["api.example.com"]);
  });
});
