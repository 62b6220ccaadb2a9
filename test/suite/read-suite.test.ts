/**
 * Prompt suites for batch runs: `.jsonl` items (strings, or objects with
 * `query` or `prompt` and an optional `id`) or plain text, one query per line.
 * Every problem names the file and the line.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSuite, readSuite, SuiteError } from "../../src/suite/read-suite.js";

/** The SuiteError message `parseSuite` throws for this text. */
function errorOf(text: string, file = "suite.jsonl"): string {
  try {
    parseSuite(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(SuiteError);
    return (error as Error).message;
  }
  throw new Error("parseSuite did not throw");
}

describe("parseSuite with .jsonl", () => {
  it("reads strings and objects with query or prompt, with ids from the file or from the line", () => {
    const text = ['"Plain string"', '{"id": "q2", "query": "With query"}', "", '{"prompt": "With prompt", "extra": 1}', '{"id": 7, "query": "Numeric id"}'].join("\n");
    expect(parseSuite(text, "s.jsonl")).toEqual([
      { id: "line-1", query: "Plain string", line: 1 },
      { id: "q2", query: "With query", line: 2 },
      { id: "line-4", query: "With prompt", line: 4 },
      { id: "7", query: "Numeric id", line: 5 },
    ]);
  });

  it("skips blank lines, tolerates CRLF and surrounding spaces", () => {
    expect(parseSuite('\r\n  "a"  \r\n\r\n{"query":"b"}\r\n', "s.jsonl")).toEqual([
      { id: "line-2", query: "a", line: 2 },
      { id: "line-4", query: "b", line: 4 },
    ]);
  });

  it("keeps the query text as written (no trimming inside JSON)", () => {
    expect(parseSuite('{"query": "  two\\nlines  "}', "s.jsonl")[0]!.query).toBe("  two\nlines  ");
  });

  it("uses prompt when query is present but empty or not a string", () => {
    expect(parseSuite('{"query": "", "prompt": "from prompt"}\n{"query": 42, "prompt": "also prompt"}', "s.jsonl").map((item) => item.query)).toEqual(["from prompt", "also prompt"]);
  });

  it("names file and line of malformed JSON", () => {
    expect(errorOf('"ok"\n{"query": "broken"\n')).toMatch(/^suite\.jsonl:2: not valid JSON \(.+\)$/);
  });

  it("names file and line of an item without a usable query", () => {
    const expected = (line: number) => `suite.jsonl:${line}: expected a string or an object with a non-empty "query" (or "prompt")`;
    expect(errorOf('"a"\n{"id": "x"}')).toBe(expected(2));
    expect(errorOf('""')).toBe(expected(1));
    expect(errorOf('{"query": ""}')).toBe(expected(1));
    expect(errorOf("42")).toBe(expected(1));
    expect(errorOf("null")).toBe(expected(1));
    expect(errorOf('["a"]')).toBe(expected(1));
    expect(errorOf('{"query": "a", "id": true}')).toBe(expected(1));
  });

  it("rejects a duplicate id, naming both lines", () => {
    expect(errorOf('{"id": "a", "query": "x"}\n{"id": "b", "query": "y"}\n{"id": "a", "query": "z"}')).toBe("suite.jsonl:3: id 'a' is already used on line 1");
  });

  it("treats a numeric id and the same id as a string as duplicates", () => {
    expect(errorOf('{"id": 1, "query": "x"}\n{"id": "1", "query": "y"}')).toBe("suite.jsonl:2: id '1' is already used on line 1");
  });

  it("rejects an explicit id that collides with a line id", () => {
    expect(errorOf('"first"\n{"id": "line-1", "query": "y"}')).toBe("suite.jsonl:2: id 'line-1' is already used on line 1");
  });

  it("rejects a file without queries", () => {
    expect(errorOf("")).toBe("suite.jsonl: no queries in the file");
    expect(errorOf("\n  \n\n")).toBe("suite.jsonl: no queries in the file");
  });
});

describe("parseSuite with plain text", () => {
  it("reads one trimmed query per non-empty line, JSON-looking lines included", () => {
    expect(parseSuite('  What is 2 + 2?  \n\n{"query": "x"}\n"quoted"\r\n', "suite.txt")).toEqual([
      { id: "line-1", query: "What is 2 + 2?", line: 1 },
      { id: "line-3", query: '{"query": "x"}', line: 3 },
      { id: "line-4", query: '"quoted"', line: 4 },
    ]);
  });

  it("treats a .json file as plain text (only .jsonl is JSON Lines)", () => {
    expect(parseSuite('{"query": "x"}', "suite.json")[0]!.query).toBe('{"query": "x"}');
  });

  it("rejects an empty text file", () => {
    expect(errorOf("   \n", "suite.txt")).toBe("suite.txt: no queries in the file");
  });
});

describe("readSuite", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "urial-suite-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a file from disk", async () => {
    const file = join(dir, "two.jsonl");
    await writeFile(file, '"a"\n{"id": "b", "prompt": "B"}\n');
    expect(await readSuite(file)).toEqual([
      { id: "line-1", query: "a", line: 1 },
      { id: "b", query: "B", line: 2 },
    ]);
  });

  it("names the file and its line in a parse problem", async () => {
    const file = join(dir, "bad.jsonl");
    await writeFile(file, '"a"\n{oops}\n');
    await expect(readSuite(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.]/g, "\\.")}:2: not valid JSON`));
  });

  it("names a file that cannot be read, with the error code", async () => {
    const file = join(dir, "missing.jsonl");
    const error = await readSuite(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SuiteError);
    expect((error as Error).message).toBe(`${file}: cannot read it (ENOENT)`);
  });
});

describe("parseSuite categories and multi-turn items (urial ab)", () => {
  it("keeps a category and a conversation whose last message is the query", () => {
    const text = [
      '{"id": "a", "query": "Q1", "category": "advice"}',
      '{"id": "b", "category": "multi-turn", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "And now?"}]}',
    ].join("\n");
    expect(parseSuite(text, "s.jsonl")).toEqual([
      { id: "a", query: "Q1", line: 1, category: "advice" },
      {
        id: "b",
        query: "And now?",
        line: 2,
        category: "multi-turn",
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: "And now?" },
        ],
      },
    ]);
  });

  it("names a conversation that does not end with the user", () => {
    expect(errorOf('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}')).toBe(
      `suite.jsonl:1: "messages" must be a list of {"role": "system" | "user" | "assistant", "content": "…"} ending with the user's`,
    );
    expect(errorOf('{"messages": []}')).toMatch(/"messages" must be a list/);
  });
});
