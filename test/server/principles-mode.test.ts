/**
 * Principle-driven mode through the HTTP app and the deterministic fake
 * engine, on the tiny principles fixture (test/fixtures/principles): the
 * model's internal thoughts never reach `content`, in non-streamed answers or
 * in any stream chunk, even when the closing marker is split across tokens;
 * they are sent as `reasoning_content` only when the request asks for them.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine, type FakeEngineOptions } from "../support/fake-engine.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/principles/${name}`, import.meta.url));

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny-principles" });
});

const thoughts = "The user wants a story. Rule 1 and rule 2 apply.";
const answer = "Sure! Here is a story about a dog. The end.";
/** What a base model writes after the pre-filled `<internal-thoughts>\n`, running on into the next block. */
const script = `${thoughts}\n</internal-thoughts>\n${answer}\n\`\`\`\n\n# Query:\n\`\`\`\nmore`;
/** The same text as multi-character tokens, the closing marker split as '</inter' + 'nal-thou' + 'ghts>'. */
const splitPieces = ["The user wants ", "a story. Rule 1 ", "and rule 2 apply.\n</inter", "nal-thou", "ghts>\nSure! Here ", "is a story about a dog.", " The end.\n``", "`\n\n# Query:", "\n```\nmore"];

/** Fragments of the thoughts that must never appear in `content`. */
const thoughtFragments = ["internal", "</", "Rule", "rule 2", "user wants", "thou", "ghts>"];

function expectNoThoughts(text: string): void {
  for (const fragment of thoughtFragments) expect(text, `content ${JSON.stringify(text)} contains ${JSON.stringify(fragment)}`).not.toContain(fragment);
}

function build(options: FakeEngineOptions): { app: Hono; engine: FakeEngine } {
  const engine = new FakeEngine(options);
  return { engine, app: createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 }) };
}

async function chat(app: Hono, body: Record<string, unknown>): Promise<Response> {
  return app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "urial/tiny-principles", messages: [{ role: "user", content: "Tell me a story." }], temperature: 0, ...body }),
  });
}

interface ChatBody {
  choices: {
    index: number;
    message: { role: string; content: string; reasoning_content?: string };
    finish_reason: string;
    stop_reason: string | null;
    logprobs: { content: { token: string }[] } | null;
  }[];
  usage: { completion_tokens: number };
}

interface Chunk {
  choices: { index: number; delta: { role?: string; content?: string; reasoning_content?: string }; finish_reason: string | null; stop_reason?: string | null }[];
}

/** The JSON chunks of an SSE body, checking it ends with [DONE]. */
async function chunksOf(response: Response): Promise<Chunk[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const blocks = (await response.text()).split("\n\n").filter((block) => block.length > 0);
  expect(blocks.at(-1)).toBe("data: [DONE]");
  return blocks.slice(0, -1).map((block) => {
    expect(block.startsWith("data: ")).toBe(true);
    return JSON.parse(block.slice("data: ".length)) as Chunk;
  });
}

describe("principles mode, not streamed", () => {
  it("renders the principles prompt with the thoughts opened for the model", async () => {
    const { app, engine } = build({ script });
    expect((await chat(app, {})).status).toBe(200);
    const prompt = engine.lastCall().promptText;
    expect(prompt.endsWith("# Query:\n```\nTell me a story.\n```\n\n# Answer:\n```\n<internal-thoughts>\n")).toBe(true);
    // The exemplar's thoughts are in the prompt, closed before its answer.
    expect(prompt).toContain("<internal-thoughts>\nThe question is about a cat. Rule 1 and rule 2 apply.\n</internal-thoughts>\nSure! The cat likes the box");
  });

  it("returns only the answer as content and no reasoning_content unless asked", async () => {
    for (const extra of [{}, { include_reasoning: false }, { include_reasoning: null }]) {
      const { app } = build({ script });
      const response = await chat(app, extra);
      expect(response.status).toBe(200);
      const body = (await response.json()) as ChatBody;
      const choice = body.choices[0]!;
      expect(choice.message.content).toBe(answer);
      expect("reasoning_content" in choice.message).toBe(false);
      expect(choice.finish_reason).toBe("stop");
      expect(choice.stop_reason).toBe("urial:block");
      expectNoThoughts(JSON.stringify(body));
    }
  });

  it("adds the thoughts as message.reasoning_content with include_reasoning: true", async () => {
    const { app } = build({ script });
    const body = (await (await chat(app, { include_reasoning: true })).json()) as ChatBody;
    expect(body.choices[0]!.message).toEqual({ role: "assistant", content: answer, refusal: null, reasoning_content: thoughts });
  });

  it("hides the thoughts when the marker arrives split across multi-character tokens", async () => {
    const { app, engine } = build({ pieces: splitPieces });
    const body = (await (await chat(app, { include_reasoning: true })).json()) as ChatBody;
    expect(body.choices[0]!.message.content).toBe(answer);
    expect(body.choices[0]!.message.reasoning_content).toBe(thoughts);
    // Usage counts every generated token, the thoughts' included, up to the cut.
    expect(body.usage.completion_tokens).toBe(engine.lastCall().tokens);
    expect(engine.lastCall().outcome).toBe("closed");
  });

  it("gives an empty answer when the thoughts are never closed, with the thoughts still available", async () => {
    const { app } = build({ script: `${thoughts} I keep thinking and never answer.` });
    const body = (await (await chat(app, { include_reasoning: true })).json()) as ChatBody;
    const choice = body.choices[0]!;
    expect(choice.message.content).toBe("");
    expect(choice.message.reasoning_content).toBe(`${thoughts} I keep thinking and never answer.`);
    expect(choice.finish_reason).toBe("stop");
    expect(choice.stop_reason).toBeNull();
  });

  it("reports length when the token budget ends inside the thoughts", async () => {
    const { app } = build({ script });
    const body = (await (await chat(app, { max_tokens: 10 })).json()) as ChatBody;
    expect(body.choices[0]!.message.content).toBe("");
    expect(body.choices[0]!.finish_reason).toBe("length");
  });

  it("ends the choice with no answer when the thoughts run into the next block", async () => {
    const { app } = build({ script: `${thoughts}\n\`\`\`\n\n# Query:\nSure! ${answer}` });
    const body = (await (await chat(app, { include_reasoning: true })).json()) as ChatBody;
    expect(body.choices[0]!.message.content).toBe("");
    expect(body.choices[0]!.message.reasoning_content).toBe(thoughts);
    expect(body.choices[0]!.stop_reason).toBe("urial:block");
  });

  it("puts logprobs on the answer's tokens only", async () => {
    const { app } = build({ script });
    const body = (await (await chat(app, { logprobs: true, top_logprobs: 1 })).json()) as ChatBody;
    const tokens = body.choices[0]!.logprobs!.content.map((entry) => entry.token);
    expect(tokens.join("")).toBe(answer);
    expectNoThoughts(tokens.join(""));
  });

  it("hides the thoughts of every choice with n: 2", async () => {
    const { app } = build({ script });
    const body = (await (await chat(app, { n: 2, include_reasoning: true })).json()) as ChatBody;
    expect(body.choices).toHaveLength(2);
    for (const choice of body.choices) {
      expect(choice.message.content).toBe(answer);
      expect(choice.message.reasoning_content).toBe(thoughts);
    }
  });
});

describe("principles mode, streamed", () => {
  const cases: [string, FakeEngineOptions][] = [
    ["one character per token", { script }],
    ["the marker split as '</inter' + 'nal-thou' + 'ghts>'", { pieces: splitPieces }],
    ["the marker and the answer's start in one token", { pieces: [`${thoughts}\n</internal-thoug`, "hts>\nSure! Here is", " a story about a dog. The end.\n```\n\n# Query:"] }],
  ];

  it.each(cases)("never sends any part of the thoughts in delta.content (%s), nor reasoning unless asked", async (_name, options) => {
    const { app } = build(options);
    const chunks = await chunksOf(await chat(app, { stream: true }));
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    for (const delta of deltas) {
      expect(delta.reasoning_content).toBeUndefined();
      if (delta.content !== undefined) expectNoThoughts(delta.content);
    }
    expect(deltas.map((delta) => delta.content ?? "").join("")).toBe(answer);
    expect(deltas[0]).toEqual({ role: "assistant", content: "" });
    const last = chunks.at(-1)!.choices[0]!;
    expect(last.finish_reason).toBe("stop");
    expect(last.stop_reason).toBe("urial:block");
  });

  it.each(cases)("sends the thoughts as reasoning_content deltas when asked, before any content (%s)", async (_name, options) => {
    const { app } = build(options);
    const chunks = await chunksOf(await chat(app, { stream: true, include_reasoning: true }));
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    for (const delta of deltas) {
      expect(delta.content !== undefined && delta.content !== "" && delta.reasoning_content !== undefined, "a delta carries one channel").toBe(false);
      if (delta.content !== undefined) expectNoThoughts(delta.content);
    }
    expect(deltas.map((delta) => delta.reasoning_content ?? "").join("")).toBe(thoughts);
    expect(deltas.map((delta) => delta.content ?? "").join("")).toBe(answer);
    const lastReasoning = deltas.findLastIndex((delta) => delta.reasoning_content !== undefined);
    const firstContent = deltas.findIndex((delta) => (delta.content ?? "").length > 0);
    expect(lastReasoning).toBeLessThan(firstContent);
    // No reasoning delta ever holds a piece of the closing marker.
    for (const delta of deltas) if (delta.reasoning_content !== undefined) expect(delta.reasoning_content).not.toContain("</");
  });

  it("streams reasoning while the thoughts are still being written", async () => {
    // The thoughts are released as they come (minus what may begin the
    // marker), not all at once after the marker.
    const { app } = build({ script });
    const chunks = await chunksOf(await chat(app, { stream: true, include_reasoning: true }));
    const reasoningChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.reasoning_content !== undefined);
    expect(reasoningChunks.length).toBeGreaterThan(5);
  });

  it("streams no content at all when the thoughts are never closed", async () => {
    const { app } = build({ pieces: [thoughts, " still ", "thinking </inter"] });
    const chunks = await chunksOf(await chat(app, { stream: true }));
    const contents = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content)).filter((content) => content !== undefined);
    expect(contents).toEqual([""]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });
});
