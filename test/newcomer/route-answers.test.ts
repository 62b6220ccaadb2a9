/**
 * What a newcomer's mistakes on the HTTP API are answered with: the context
 * error that names the exemplar set and the fixes, one error code for one
 * max_tokens mistake, 405 with Allow, "not supported by this server" for the
 * OpenAI routes this server lacks, the API index at /v1 (and / as fallback),
 * and POST /apply-template. Fake engine (one token per character), no sockets.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import type { AppDeps } from "../../src/server/app-deps.js";
import { contextOverflowMessage } from "../../src/openai/context-overflow.js";
import { FakeEngine, type FakeEngineOptions } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny-two" });
});

function build(options: FakeEngineOptions = {}, deps: Partial<AppDeps> = {}): { app: Hono; engine: FakeEngine } {
  const engine = new FakeEngine(options);
  const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, ...deps });
  return { app, engine };
}

const json = { "content-type": "application/json" };
const post = (app: Hono, path: string, body: unknown) => Promise.resolve(app.request(path, { method: "POST", headers: json, body: JSON.stringify(body) }));
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };
const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;
const hi = { messages: [{ role: "user", content: "Hi" }] };

/** Prompt sizes of both fixture sets for `hi`, measured through /apply-template (one token per character). */
async function promptSizes(app: Hono): Promise<{ tiny: number; tinyTwo: number }> {
  const size = async (model: string) => ((await (await post(app, "/apply-template", { model, ...hi })).json()) as { prompt_tokens: number }).prompt_tokens;
  return { tiny: await size("urial/tiny"), tinyTwo: await size("urial/tiny-two") };
}

describe("the context error says which set, how many tokens are whose, and what to do", () => {
  it("names the set, its share, the user's share, the smaller set that fits and the --context-size that would", async () => {
    const sizes = await promptSizes(build().app);
    expect(sizes.tinyTwo).toBeGreaterThan(sizes.tiny);
    // A context between the two sets: only 'tiny' fits these messages.
    const contextSize = sizes.tiny + 10;
    const { app, engine } = build({ contextSize });
    const response = await post(app, "/v1/chat/completions", { model: "urial", ...hi });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ type: "invalid_request_error", param: "messages", code: "context_length_exceeded" });
    const prefix = error.message.match(/: (\d+) for exemplar set 'tiny-two' and (\d+) for your messages/);
    expect(prefix).not.toBeNull();
    expect(Number(prefix![1]) + Number(prefix![2])).toBe(sizes.tinyTwo);
    expect(error.message).toBe(
      `This model's context holds ${contextSize} tokens per request, but the prompt has ${sizes.tinyTwo} tokens: ${prefix![1]} for exemplar set 'tiny-two' and ${prefix![2]} for your messages, and the request needs at least 1 generated token (${sizes.tinyTwo} + 1 > ${contextSize}). To fix it, use model 'urial/tiny' (a smaller exemplar set: ${sizes.tiny} tokens with these messages), start the server with --context-size ${sizes.tinyTwo + 1} or more, or shorten the messages.`,
    );
    expect(engine.calls).toHaveLength(0);
    // The fix it names works.
    expect((await post(app, "/v1/chat/completions", { model: "urial/tiny", ...hi, max_tokens: 5 })).status).toBe(200);
  });

  it("tells a request whose max_tokens is what does not fit to lower it, with the number", async () => {
    const sizes = await promptSizes(build().app);
    const { app } = build({ contextSize: sizes.tinyTwo + 20 });
    const error = await errorOf(await post(app, "/v1/chat/completions", { model: "urial/tiny-two", ...hi, max_tokens: 100 }));
    expect(error.code).toBe("context_length_exceeded");
    expect(error.message).toContain(`(${sizes.tinyTwo} + 100 > ${sizes.tinyTwo + 20}). To fix it, lower max_tokens to at most 20, `);
  });

  it("says when no smaller set fits, and words raw completions without sets", () => {
    expect(contextOverflowMessage({ contextSize: 100, promptTokens: 150, requested: undefined, set: { name: "big", prefixTokens: 140 }, otherSets: [{ name: "bigger", promptTokens: 300 }] })).toBe(
      "This model's context holds 100 tokens per request, but the prompt has 150 tokens: 140 for exemplar set 'big' and 10 for your messages, and the request needs at least 1 generated token (150 + 1 > 100). To fix it, start the server with --context-size 151 or more, or shorten the messages.",
    );
    expect(contextOverflowMessage({ contextSize: 100, promptTokens: 90, requested: 50 })).toBe(
      "This model's context holds 100 tokens per request, but the prompt has 90 tokens, and the request needs max_tokens 50 (90 + 50 > 100). To fix it, lower max_tokens to at most 10, or shorten the prompt.",
    );
  });

  it("gives one code for one mistake: max_tokens above the server's ceiling is max_tokens_too_large, whatever the prompt", async () => {
    const { app } = build({ contextSize: 40 }, { limits: { maxTokens: 50 } });
    // Neither fits the context; the mistake is still the ceiling, and said so.
    for (const path of ["/v1/chat/completions", "/v1/completions"]) {
      const body = path === "/v1/completions" ? { model: "base", prompt: "x".repeat(100), max_tokens: 5000 } : { model: "urial", ...hi, max_tokens: 5000 };
      const error = await errorOf(await post(app, path, body));
      expect(error).toEqual({
        message: "max_tokens is too large: 5000. This server generates at most 50 tokens per choice (its --max-tokens); ask for 50 or fewer.",
        type: "invalid_request_error",
        param: "max_tokens",
        code: "max_tokens_too_large",
      });
    }
  });
});

describe("routes: 405, not supported, 404 and the index", () => {
  it("answers a wrong method with 405 and Allow", async () => {
    const { app } = build();
    const response = await app.request("/v1/chat/completions");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await errorOf(response)).toEqual({ message: "GET is not allowed on /v1/chat/completions: use POST.", type: "invalid_request_error", param: null, code: "method_not_allowed" });
    const models = await app.request("/v1/models", { method: "POST" });
    expect(models.status).toBe(405);
    expect(models.headers.get("allow")).toBe("GET, HEAD");
    expect((await app.request("/v1/models/urial", { method: "DELETE" })).status).toBe(405);
  });

  it("says 'not supported by this server' for OpenAI routes it does not implement", async () => {
    const { app } = build();
    const responses = await post(app, "/v1/responses", { model: "urial", input: "Hi" });
    expect(responses.status).toBe(404);
    expect(await errorOf(responses)).toEqual({
      message:
        "POST /v1/responses is not supported by this server: it is part of OpenAI's API (the Responses API), which urial-proxy does not implement; it serves POST /v1/chat/completions (chat through URIAL) and POST /v1/completions (raw text); GET /v1 lists every route (with the openai SDK: client.chat.completions.create instead of client.responses.create).",
      type: "invalid_request_error",
      param: null,
      code: "unsupported_endpoint",
    });
    for (const path of ["/v1/embeddings", "/v1/images/generations", "/v1/audio/speech", "/v1/files", "/v1/moderations"]) {
      const error = await errorOf(await post(app, path, {}));
      expect(error.code, path).toBe("unsupported_endpoint");
      expect(error.message, path).toContain(`POST ${path} is not supported by this server`);
    }
  });

  it("answers other paths 404 pointing at the index", async () => {
    const { app } = build();
    const response = await app.request("/v2/whatever");
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({ message: "No route for GET /v2/whatever. GET /v1 lists the routes this server has.", type: "not_found_error", param: null, code: "not_found" });
  });

  it("indexes the API at /v1 and / (JSON for programs, HTML for a browser), from the routes actually registered", async () => {
    const { app } = build();
    for (const path of ["/v1", "/"]) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      const index = (await response.json()) as { models: string[]; status: string; endpoints: { method: string; path: string; description: string | null }[] };
      expect(index.status).toBe("ok");
      expect([...index.models].sort()).toEqual(["base", "urial", "urial/tiny", "urial/tiny-two"]);
      expect(index.endpoints).toContainEqual({ method: "POST", path: "/v1/chat/completions", description: expect.stringContaining("URIAL") });
      expect(index.endpoints.every((endpoint) => endpoint.description !== null)).toBe(true);
    }
    const html = await app.request("/", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(html.headers.get("content-type")).toContain("text/html");
    const page = await html.text();
    expect(page).toContain("<code>/v1/chat/completions</code>");
    expect(page).toContain("npx urial chat --url http://localhost/v1");
  });
});

describe("POST /apply-template", () => {
  it("returns the rendered URIAL prompt for the messages and the named set, with its token count", async () => {
    const { app } = build();
    const response = await post(app, "/apply-template", { model: "urial/tiny", messages: [{ role: "user", content: "What is a kite?" }] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { prompt: string; exemplar_set: string; prompt_tokens: number; model: string };
    expect(body.exemplar_set).toBe("tiny@1.0.0");
    expect(body.prompt).toContain("What is a kite?");
    expect(body.prompt).toContain("Tell me about a cat.");
    expect(body.prompt_tokens).toBe([...body.prompt].length);
    expect((await post(app, "/apply-template", { model: "nope", ...hi })).status).toBe(404);
    expect((await errorOf(await post(app, "/apply-template", { model: "urial" }))).param).toBe("messages");
  });

  it("shows the same prompt as POST /v1/chat/prompt, system message and earlier turns included", async () => {
    const { app } = build();
    const messages = [
      { role: "system", content: "Answer in French." },
      { role: "user", content: "What is a kite?" },
      { role: "assistant", content: "A toy that flies." },
      { role: "user", content: "And a kestrel?" },
    ];
    const template = (await (await post(app, "/apply-template", { model: "urial/tiny", messages })).json()) as { prompt: string };
    const shown = (await (await post(app, "/v1/chat/prompt", { model: "urial/tiny", messages })).json()) as { prompt: string };
    expect(template.prompt).toContain("Answer in French.");
    expect(template.prompt).toContain("A toy that flies.");
    expect(template.prompt).toBe(shown.prompt);
  });
});
