/**
 * Output hygiene through the HTTP app and the deterministic fake engine: a
 * run-on repetition is cut, an answer that replays an exemplar's question is
 * cut, the next block stops the answer, and `finish_reason` / `stop_reason`
 * say honestly why each answer ended — streamed and not.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine, type FakeEngineOptions } from "../support/fake-engine.js";

/** An exemplar question long enough (≥ 24 characters) to count as a leak when an answer replays it. */
const exemplarQuestion = "How do I keep cut flowers fresh for longer?";

let root: string;
let catalog: Catalog;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "urial-hygiene-"));
  await mkdir(join(root, "exemplars"));
  await mkdir(join(root, "system-prompts"));
  await writeFile(join(root, "system-prompts", "plain.json"), JSON.stringify({ name: "plain", version: "1", description: "d", text: "# Instruction\n\nAnswer kindly." }));
  await writeFile(
    join(root, "exemplars", "flowers.json"),
    JSON.stringify({
      name: "flowers",
      version: "1",
      description: "d",
      systemPrompt: "plain",
      exemplars: [{ id: "f", query: `${exemplarQuestion}\nI bought tulips.`, answer: "Trim the stems and change the water daily.", style: "free" }],
    }),
  );
  catalog = await loadCatalog({ exemplarsDir: join(root, "exemplars"), systemPromptsDir: join(root, "system-prompts"), defaultSet: "flowers" });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function build(options: FakeEngineOptions): { app: Hono; engine: FakeEngine } {
  const engine = new FakeEngine(options);
  return { engine, app: createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 }) };
}

function chat(app: Hono, body: Record<string, unknown> = {}): Promise<Response> {
  return Promise.resolve(
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "urial", messages: [{ role: "user", content: "Tell me about dogs." }], temperature: 0, ...body }),
    }),
  );
}

interface Answer {
  content: string;
  finishReason: string;
  stopReason: string | null;
}

/** Asks once without streaming and once streaming; checks both agree and returns the answer. */
async function ask(options: FakeEngineOptions, body: Record<string, unknown> = {}): Promise<Answer & { engine: FakeEngine }> {
  const plain = build(options);
  const response = await chat(plain.app, body);
  expect(response.status).toBe(200);
  const json = (await response.json()) as { choices: { message: { content: string }; finish_reason: string; stop_reason: string | null }[] };
  const choice = json.choices[0]!;
  const answer: Answer = { content: choice.message.content, finishReason: choice.finish_reason, stopReason: choice.stop_reason };

  const streamed = build(options);
  const streamResponse = await chat(streamed.app, { ...body, stream: true });
  expect(streamResponse.status).toBe(200);
  const blocks = (await streamResponse.text()).split("\n\n").filter((block) => block.length > 0);
  expect(blocks.at(-1)).toBe("data: [DONE]");
  const chunks = blocks
    .slice(0, -1)
    .map((block) => JSON.parse(block.slice("data: ".length)) as { choices: { delta: { content?: string }; finish_reason: string | null; stop_reason?: string | null }[] });
  const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  const last = chunks.at(-1)!.choices[0]!;
  // Only the last chunk finishes, and it says the same as the non-streamed answer.
  expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null && !("stop_reason" in chunk.choices[0]!))).toBe(true);
  expect({ content, finishReason: last.finish_reason, stopReason: last.stop_reason }).toEqual(answer);
  return { ...answer, engine: plain.engine };
}

/** Everything an answer must never contain. */
function expectNoScaffolding(content: string): void {
  for (const scaffolding of ["```", "# Query", "# Answer", "# Instruction", "<internal-thoughts>", "</internal-thoughts>", exemplarQuestion]) {
    expect(content).not.toContain(scaffolding);
  }
}

describe("run-on repetition", () => {
  const sentence = "The dog is big and red. ";
  const runOn = `I like my dog. ${sentence.repeat(8)}`;

  it("is cut at the third occurrence of a 6-gram: finish_reason stop, stop_reason urial:repetition", async () => {
    const result = await ask({ script: runOn });
    expect(result.content).toBe(`I like my dog. ${sentence}${sentence}`.trimEnd());
    expect(result.finishReason).toBe("stop");
    expect(result.stopReason).toBe("urial:repetition");
  });

  it("stops the generation at the cut instead of running to the token budget", async () => {
    const { engine } = await ask({ script: runOn }, { max_tokens: 1000 });
    // The third "red." is a complete word once the space after it arrives: that token ends it.
    const cutAt = `I like my dog. ${sentence}${sentence}${sentence}`.length;
    expect(engine.lastCall().outcome).toBe("closed");
    expect(engine.lastCall().tokens).toBe(cutAt);
  });

  it("is cut with multi-character tokens too", async () => {
    const pieces = [`I like my dog. `, ...Array.from({ length: 8 }, () => ["The dog is ", "big and ", "red. "]).flat()];
    const result = await ask({ pieces });
    expect(result.content).toBe(`I like my dog. ${sentence}${sentence}`.trimEnd());
    expect(result.stopReason).toBe("urial:repetition");
  });

  it("is not reported when a phrase comes back only twice", async () => {
    const result = await ask({ script: `I like my dog. ${sentence}${sentence}That is all.` });
    expect(result.content).toBe(`I like my dog. ${sentence}${sentence}That is all.`);
    expect(result.stopReason).toBeNull();
  });
});

describe("leaked exemplar questions", () => {
  it("cut an answer that starts replaying an exemplar question (stop_reason urial:leak)", async () => {
    const result = await ask({ script: `${exemplarQuestion}\nI bought tulips.\n\`\`\`\n\n# Answer:\nTrim the stems.` });
    expect(result.content).toBe("");
    expect(result.finishReason).toBe("stop");
    expect(result.stopReason).toBe("urial:leak");
  });

  it("cut an answer that replays an exemplar question midway, keeping what came before", async () => {
    const result = await ask({ script: `Dogs are loyal and kind. ${exemplarQuestion} Trim the stems.` });
    expect(result.content).toBe("Dogs are loyal and kind.");
    expect(result.stopReason).toBe("urial:leak");
  });

  it("do not include the follow-on lines of a multi-line exemplar query", async () => {
    const result = await ask({ script: "Dogs are fun. I bought tulips." });
    expect(result.content).toBe("Dogs are fun. I bought tulips.");
    expect(result.stopReason).toBeNull();
  });
});

describe("block stops and natural ends", () => {
  it("stop at the next block, dropping the answer block's fence (stop_reason urial:block)", async () => {
    const result = await ask({ script: "Dogs are loyal.\n```\n\n# Query:\n```\nWhat about cats?" });
    expect(result.content).toBe("Dogs are loyal.");
    expect(result.finishReason).toBe("stop");
    expect(result.stopReason).toBe("urial:block");
  });

  it("report stop with a null stop_reason when the model ends by itself", async () => {
    const result = await ask({ script: "Dogs are loyal." });
    expect(result).toMatchObject({ content: "Dogs are loyal.", finishReason: "stop", stopReason: null });
  });

  it("report length with a null stop_reason when the token budget runs out", async () => {
    const result = await ask({ script: "Dogs are loyal and kind." }, { max_tokens: 9 });
    expect(result).toMatchObject({ content: "Dogs are", finishReason: "length", stopReason: null });
  });
});

describe("client stop strings", () => {
  it("set stop_reason to the stop string that matched", async () => {
    const result = await ask({ script: "Dogs are loyal. They love walks." }, { stop: "They" });
    expect(result).toMatchObject({ content: "Dogs are loyal.", finishReason: "stop", stopReason: "They" });
  });

  it("report the earliest of several stop strings, whatever their order", async () => {
    const result = await ask({ script: "Dogs are loyal. They love walks." }, { stop: ["walks", "love", "nothing"] });
    expect(result).toMatchObject({ content: "Dogs are loyal. They", stopReason: "love" });
  });

  it("win over a later repetition, and lose to an earlier one", async () => {
    const sentence = "The dog is big and red. ";
    const early = await ask({ script: `Hi. STOP ${sentence.repeat(4)}` }, { stop: ["STOP"] });
    expect(early.stopReason).toBe("STOP");
    const late = await ask({ script: `Hi. ${sentence.repeat(4)}STOP` }, { stop: ["STOP"] });
    expect(late.stopReason).toBe("urial:repetition");
  });
});

describe("scaffolding", () => {
  const scripts = [
    "Sure.\n```\n\n# Query:\n```\nNext question\n```\n\n# Answer:\n```\nNext answer",
    "\n\n```\nprint(1)\n```\nDone.\n```\n\n# Answer:\n",
    "Fine </internal-thoughts> hidden",
    "Fine <internal-thoughts> hidden",
    `Sure! ${exemplarQuestion}`,
    "Line one.\n# Instruction\nBe evil.",
  ];

  it.each(scripts)("is never returned: %j", async (script) => {
    const result = await ask({ script });
    // A code block the answer opened itself is kept; only the block fence is dropped.
    expectNoScaffolding(result.content.replace("```\nprint(1)\n```", ""));
    expect(result.finishReason).toBe("stop");
    expect(result.stopReason).toMatch(/^urial:(block|leak)$/);
  });
});
