/**
 * The routes the playground added, on the app with the fake engine: the page
 * and its files, the exact rendered prompt, the exemplar-set list, the votes
 * log, and chat with `base` (zero-shot) and `chat` (the chat model).
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import type { AppDeps } from "../../src/server/app-deps.js";
import { createShiftAnalyser } from "../../src/shift/create-shift-analyser.js";
import { VotesLog } from "../../src/votes/votes-log.js";
import { FakeEngine } from "../support/fake-engine.js";
import { createFakeScoringModel } from "../shift/support/fake-scoring-model.js";

const fromRepository = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fromRepository("test/fixtures/exemplars"), systemPromptsDir: fromRepository("test/fixtures/system-prompts"), defaultSet: "tiny" });
});

function build(extra: Partial<AppDeps> = {}): { app: Hono; engine: FakeEngine } {
  const engine = new FakeEngine({ script: "An answer." });
  return { engine, app: createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1024 * 1024, playgroundDir: fromRepository("playground"), ...extra }) };
}

const post = (app: Hono, path: string, body: unknown) =>
  Promise.resolve(app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) }));

describe("the page", () => {
  it("serves index.html at / and /playground with a strict CSP, and its files with their types", async () => {
    const { app } = build();
    for (const path of ["/", "/playground", "/playground/"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(await response.text()).toContain("<title>URIAL playground</title>");
    }
    expect((await app.request("/playground/main.js")).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await app.request("/playground/playground.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("serves nothing else: other folders, other kinds of file and missing files are OpenAI-style 404s", async () => {
    const { app } = build();
    for (const path of ["/playground/../package.json", "/playground/%2e%2e%2fpackage.json", "/playground/tsconfig.json", "/playground/missing.js", "/playground/a/b.js"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
    }
  });

  it("is absent when the app has no playground folder: / is then the API index (issue 15's fallback)", async () => {
    const { app } = build({ playgroundDir: undefined });
    const response = await app.request("/");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { object: string }).object).toBe("urial.index");
    expect((await app.request("/playground")).status).toBe(404);
  });

  it("needs no key for the page, while the API behind it does", async () => {
    const { app } = build({ apiKeys: ["k"] });
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/v1/exemplar-sets")).status).toBe(401);
  });
});

describe("POST /v1/chat/prompt", () => {
  const messages = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "First?" },
    { role: "assistant", content: "One." },
    { role: "user", content: "Second?" },
  ];

  it("returns exactly the prompt the completion route makes the model read", async () => {
    for (const model of ["urial", "urial/tiny-two", "base"]) {
      const { app, engine } = build();
      const shown = (await (await post(app, "/v1/chat/prompt", { model, messages })).json()) as { prompt: string; prompt_tokens: number; prefix_length: number; exemplar_set: { name: string } };
      expect((await post(app, "/v1/chat/completions", { model, messages, max_tokens: 4 })).status).toBe(200);
      expect(shown.prompt, model).toBe(engine.calls[0]!.promptText);
      expect(shown.prompt_tokens).toBe(engine.calls[0]!.prompt.length);
      expect(shown.prompt.slice(shown.prefix_length).startsWith("# Query:")).toBe(true);
    }
  });

  it("names the set and what happened to the client's system message", async () => {
    const { app } = build();
    const body = (await (await post(app, "/v1/chat/prompt", { model: "urial", messages })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: "chat.prompt",
      model: "urial",
      exemplar_set: { name: "tiny", version: catalog.defaultSet.version, hash: catalog.defaultSet.hash },
      system_message: "appended",
      context_size: 4096,
    });
    expect(body.prompt).toContain("Be brief.");
  });

  it("answers bad requests like the completion route does", async () => {
    const { app } = build();
    const unknown = await post(app, "/v1/chat/prompt", { model: "gpt-4o", messages });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    const noQuery = await post(app, "/v1/chat/prompt", { model: "urial", messages: [{ role: "assistant", content: "x" }] });
    expect(noQuery.status).toBe(400);
    const bad = await post(app, "/v1/chat/prompt", { model: "urial", messages: "hi" });
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("messages");
  });
});

describe("GET /v1/exemplar-sets", () => {
  it("lists every set with its model id, version, hash and the default, then the zero-shot baseline", async () => {
    const { app } = build();
    const body = (await (await app.request("/v1/exemplar-sets")).json()) as {
      default_model: string;
      data: { name: string; model: string; default: boolean; version: string; hash: string; exemplars: number }[];
    };
    expect(body.default_model).toBe("urial");
    expect(body.data.map((set) => [set.name, set.model, set.default])).toEqual([
      ["tiny", "urial/tiny", true],
      ["tiny-two", "urial/tiny-two", false],
      ["zero-shot", "base", false],
    ]);
    expect(body.data[0]).toMatchObject({ version: catalog.defaultSet.version, hash: catalog.defaultSet.hash, exemplars: catalog.defaultSet.exemplars.length });
    expect(body.data[2]!.exemplars).toBe(0);
  });
});

describe("POST and GET /v1/votes", () => {
  const vote = { query: "Is 205 even?", a: { model: "base", request_id: "req_1", exemplar_set: "zero-shot@1" }, b: { model: "urial" }, winner: "b" };

  it("appends each vote to the log file and lists the newest, oldest first", async () => {
    const dir = await mkdtemp(join(tmpdir(), "urial-votes-"));
    const path = join(dir, "nested", "votes.jsonl");
    const { app } = build({ votesLog: new VotesLog(path) });
    expect(((await (await app.request("/v1/votes")).json()) as { data: unknown[] }).data).toEqual([]);
    const stored = (await (await post(app, "/v1/votes", vote)).json()) as { id: string; winner: string; b: { request_id: null } };
    expect(stored).toMatchObject({ object: "vote", winner: "b", query: "Is 205 even?", a: vote.a, b: { model: "urial", request_id: null, exemplar_set: null }, comparison_id: null });
    expect(stored.id).toMatch(/^vote_[0-9a-f]{24}$/);
    await post(app, "/v1/votes", { ...vote, winner: "tie" });
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { winner: string }).winner)).toEqual(["b", "tie"]);
    // A torn line (a crash mid-write) is skipped and counted, the rest still read.
    await writeFile(path, `${lines[0]}\n{"object":"vo\n${lines[1]}\n`);
    const listed = (await (await app.request("/v1/votes?limit=1")).json()) as { data: { winner: string }[]; skipped_lines: number };
    expect(listed.data.map((each) => each.winner)).toEqual(["tie"]);
    expect(listed.skipped_lines).toBe(1);
    // A new log on the same file (a restart) reads the same votes.
    const restarted = build({ votesLog: new VotesLog(path) }).app;
    expect(((await (await restarted.request("/v1/votes")).json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it("refuses a bad vote with the field as param, a bad limit, and answers 404 without a log", async () => {
    const { app } = build({ votesLog: new VotesLog(join(await mkdtemp(join(tmpdir(), "urial-votes-")), "v.jsonl")) });
    const badWinner = await post(app, "/v1/votes", { ...vote, winner: "c" });
    expect(badWinner.status).toBe(400);
    expect(((await badWinner.json()) as { error: { param: string } }).error.param).toBe("winner");
    const noModel = await post(app, "/v1/votes", { ...vote, a: { model: "" } });
    expect(((await noModel.json()) as { error: { param: string } }).error.param).toBe("a.model");
    expect((await app.request("/v1/votes?limit=0")).status).toBe(400);
    const none = await build().app.request("/v1/votes");
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("votes_not_enabled");
  });
});

describe("chat with the chat model (`chat`, with --chat-model)", () => {
  function withChatModel() {
    const analyser = createShiftAnalyser({ base: createFakeScoringModel({ seed: 1 }), chat: createFakeScoringModel({ seed: 1, eosAfter: 6 }) });
    return build({ shift: () => analyser });
  }

  it("is listed by /v1/models and answers in OpenAI's shape, streaming and not, with usage", async () => {
    const { app, engine } = withChatModel();
    const models = (await (await app.request("/v1/models")).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain("chat");
    const body = { model: "chat", messages: [{ role: "user", content: "Hi" }] };
    const plain = (await (await post(app, "/v1/chat/completions", body)).json()) as {
      model: string;
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(plain.model).toBe("chat");
    expect(plain.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(plain.usage.prompt_tokens).toBe("<s>User: Hi\nAssistant:".length - "<s>".length + 1);
    expect(engine.calls).toHaveLength(0);
    const streamed = await (await post(app, "/v1/chat/completions", { ...body, stream: true, stream_options: { include_usage: true } })).text();
    const events = streamed
      .split("\n\n")
      .filter((event) => event.startsWith("data: "))
      .map((event) => event.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { choices: { delta: { content?: string; role?: string }; finish_reason: string | null }[]; usage?: unknown });
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(plain.choices[0]!.message.content);
    expect(chunks.at(-1)!.usage).toEqual(expect.objectContaining({ completion_tokens: plain.usage.completion_tokens }));
  });

  it("shows its template's prompt, and refuses what it cannot do with the param named", async () => {
    const { app } = withChatModel();
    const shown = (await (await post(app, "/v1/chat/prompt", { model: "chat", messages: [{ role: "user", content: "Hi" }] })).json()) as { prompt: string; exemplar_set: null };
    expect(shown).toMatchObject({ prompt: "<s>User: Hi\nAssistant:", exemplar_set: null });
    for (const [field, value, param] of [
      ["n", 2, "n"],
      ["logprobs", true, "logprobs"],
      ["response_format", { type: "json_object" }, "response_format.type"],
    ] as const) {
      const response = await post(app, "/v1/chat/completions", { model: "chat", messages: [{ role: "user", content: "Hi" }], [field]: value });
      expect(response.status, field).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
    }
  });
});
