import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/platform/package-root.js";
import { parsePrompts, readPrompts } from "../../src/shift/read-prompts.js";

describe("parsePrompts", () => {
  it("reads plain text: one query per line, skipping blank lines and # comments", () => {
    expect(parsePrompts("# my prompts\nTell me a story.\n\n  Why is the sky blue?  \r\n", "prompts.txt")).toEqual([
      { id: "line-2", query: "Tell me a story." },
      { id: "line-4", query: "Why is the sky blue?" },
    ]);
  });

  it("reads JSONL with optional ids and answers", () => {
    const text = ['{"query": "Hi", "id": "greet"}', '{"query": "Tell me a story.", "answer": "Once upon a time."}'].join("\n");
    expect(parsePrompts(text, "p.jsonl")).toEqual([
      { id: "greet", query: "Hi" },
      { id: "line-2", query: "Tell me a story.", answer: "Once upon a time." },
    ]);
  });

  it("treats a .txt file whose first entry is an object as JSONL too", () => {
    expect(parsePrompts('{"query": "multi\\nline"}', "p.txt")).toEqual([{ id: "line-1", query: "multi\nline" }]);
  });

  it("names the line of malformed JSON", () => {
    expect(() => parsePrompts('{"query": "ok"}\n{"query": "broken"', "p.jsonl")).toThrow(/^p\.jsonl:2: not valid JSON/);
  });

  it("names the line and field of a missing or wrong field", () => {
    expect(() => parsePrompts('{"query": "ok"}\n\n{"id": "x"}', "p.jsonl")).toThrow("p.jsonl:3: query: is required");
    expect(() => parsePrompts('{"query": 5}', "p.jsonl")).toThrow("p.jsonl:1: query: must be a string");
    expect(() => parsePrompts('{"query": "  "}', "p.jsonl")).toThrow("p.jsonl:1: query: must not be empty");
    expect(() => parsePrompts('["a"]', "p.jsonl")).toThrow(/p\.jsonl:1: must be a JSON object/);
  });

  it("rejects unknown fields, so a typo is not silently ignored", () => {
    expect(() => parsePrompts('{"query": "ok", "anwser": "x"}', "p.jsonl")).toThrow("p.jsonl:1: unknown field(s) 'anwser' (allowed: query, id, answer)");
  });

  it("rejects a repeated id, naming both lines", () => {
    expect(() => parsePrompts('{"query": "a", "id": "x"}\n{"query": "b", "id": "x"}', "p.jsonl")).toThrow("p.jsonl:2: id 'x' was already used on line 1");
  });

  it("rejects a file with no prompts", () => {
    expect(() => parsePrompts("\n# nothing\n", "empty.txt")).toThrow(/empty\.txt: has no prompts/);
  });
});

describe("readPrompts", () => {
  it("says when the file does not exist", async () => {
    await expect(readPrompts("/nonexistent/prompts.jsonl")).rejects.toThrow("/nonexistent/prompts.jsonl: no such prompts file");
  });

  it("reads a file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "urial-prompts-"));
    const file = join(dir, "p.txt");
    await writeFile(file, "One\nTwo\n");
    expect((await readPrompts(file)).map((prompt) => prompt.query)).toEqual(["One", "Two"]);
  });

  it("parses the shipped default prompt set", async () => {
    const prompts = await readPrompts(join(packageRoot, "shift-prompts", "default.jsonl"));
    expect(prompts.length).toBeGreaterThanOrEqual(10);
    expect(new Set(prompts.map((prompt) => prompt.id)).size).toBe(prompts.length);
  });
});
