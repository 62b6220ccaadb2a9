/**
 * `urial generate` as users run it: the built CLI in a child process answers
 * a suite with the REAL tiny model (stories260K, skipped visibly without it)
 * and writes OpenAI fine-tuning chat JSONL. Usage and suite errors are
 * checked without a model. The CLI is built once for the whole run (vitest globalSetup).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUrial, type Finished } from "../support/run-cli.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist/src/cli/urial.js");
const fixtureFlags = ["--exemplars", "tiny", "--exemplars-dir", "test/fixtures/exemplars", "--system-prompts-dir", "test/fixtures/system-prompts"];
const engineFlags = ["--threads", "1", "--context-size", "512", "--max-tokens", "24"];

function urial(...args: string[]): Promise<Finished> {
  return runUrial(args, 60_000);
}

let dir = "";
beforeAll(async () => {
  // dist/ is compiled once for the whole run by test/support/build-cli.ts (vitest globalSetup).
  if (!existsSync(cli)) throw new Error(`no built CLI at ${cli}`);
  dir = await mkdtemp(join(tmpdir(), "urial-generate-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface SftLine {
  messages: { role: string; content: string }[];
}

describe("urial generate usage", () => {
  it("exits 2 naming a missing --suite (and --out), without loading anything", async () => {
    const result = await urial("generate", "--model", testModelPath, "--model-id", "urial/tiny");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("urial generate: --suite FILE and --out FILE are required. Run 'urial generate --help' for the options.\n");
  });

  it("exits 2 naming only --suite when that is all that is missing", async () => {
    const result = await urial("generate", "--model", testModelPath, "--out", join(dir, "never.jsonl"));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("urial generate: --suite FILE is required. Run 'urial generate --help' for the options.\n");
    expect(existsSync(join(dir, "never.jsonl"))).toBe(false);
  });

  it("exits 2 for a bad number or an unknown flag", async () => {
    const bad = await urial("generate", "--model", "m.gguf", "--suite", "s.jsonl", "--out", "o.jsonl", "--max-tokens", "1.5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("urial generate: --max-tokens must be a whole number; got '1.5'.\n");
    const unknown = await urial("generate", "--bogus");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
  });

  it("exits 1 naming the file and line of a bad suite line, writing nothing", async () => {
    const suite = join(dir, "bad-suite.jsonl");
    const out = join(dir, "bad-out.jsonl");
    await writeFile(suite, '"Tell me about a dog."\n{"query": \n');
    const result = await urial("generate", "--model", testModelPath, "--suite", suite, "--out", out, "--model-id", "urial/tiny", ...fixtureFlags, ...engineFlags);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^urial generate: ${suite.replace(/[.]/g, "\\.")}:2: not valid JSON \\(.+\\)\\n$`));
    expect(existsSync(out)).toBe(false);
  });

  it("exits 1 naming a suite file that does not exist", async () => {
    const suite = join(dir, "absent.jsonl");
    const result = await urial("generate", "--model", testModelPath, "--suite", suite, "--out", join(dir, "o.jsonl"), ...fixtureFlags);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`urial generate: ${suite}: cannot read it (ENOENT)\n`);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("urial generate on stories260K"), () => {
  it("answers a 2-query suite into OpenAI fine-tuning chat JSONL without scaffolding", async () => {
    const suite = join(dir, "two.jsonl");
    const out = join(dir, "out.jsonl");
    const queries = ["Tell me about a dog.", "Tell me about the moon."];
    await writeFile(suite, `${JSON.stringify(queries[0])}\n${JSON.stringify({ id: "moon", query: queries[1] })}\n`);
    const result = await urial("generate", "--model", testModelPath, "--suite", suite, "--model-id", "urial/tiny", ...fixtureFlags, ...engineFlags, "--out", out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote 2 examples to ${out}\n`);
    expect(result.stderr).toMatch(/\[1\/2\] line-1: \d+ chars, finish (stop|length)\n/);
    expect(result.stderr).toMatch(/\[2\/2\] moon: \d+ chars, finish (stop|length)\n/);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const text = await readFile(out, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as SftLine);
    expect(lines).toHaveLength(2);
    lines.forEach((line, index) => {
      expect(Object.keys(line)).toEqual(["messages"]);
      expect(line.messages).toHaveLength(2);
      expect(line.messages[0]).toEqual({ role: "user", content: queries[index] });
      const assistant = line.messages[1]!;
      expect(Object.keys(assistant)).toEqual(["role", "content"]);
      expect(assistant.role).toBe("assistant");
      expect(assistant.content.trim().length).toBeGreaterThan(0);
      expect(assistant.content).toBe(assistant.content.trim());
      expect(assistant.content).not.toContain("# Query");
      expect(assistant.content).not.toContain("# Answer");
      expect(assistant.content).not.toContain("```");
      expect(assistant.content).not.toContain("internal-thoughts");
    });
  });

  it("is deterministic with the default greedy decoding", async () => {
    const suite = join(dir, "one.txt");
    await writeFile(suite, "Tell me about a dog.\n");
    const first = join(dir, "first.jsonl");
    const second = join(dir, "second.jsonl");
    for (const out of [first, second]) {
      const result = await urial("generate", "--model", testModelPath, "--suite", suite, "--model-id", "urial/tiny", ...fixtureFlags, ...engineFlags, "--out", out);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(await readFile(second, "utf8")).toBe(await readFile(first, "utf8"));
  });

  it("answers with a principles set and keeps only the answer, never the thoughts", async () => {
    const suite = join(dir, "principles.txt");
    const out = join(dir, "principles.jsonl");
    await writeFile(suite, "Tell me a story.\n");
    const result = await urial(
      "generate",
      "--model",
      testModelPath,
      "--suite",
      suite,
      "--model-id",
      "urial/tiny-principles",
      "--exemplars",
      "tiny-principles",
      "--exemplars-dir",
      "test/fixtures/principles/exemplars",
      "--system-prompts-dir",
      "test/fixtures/principles/system-prompts",
      "--threads",
      "1",
      "--context-size",
      "512",
      "--max-tokens",
      "48",
      "--out",
      out,
    );
    // The tiny model rarely closes its thoughts: an empty answer is skipped
    // (exit 1, nothing written), a closed one is written without thoughts.
    expect(result.stderr).toMatch(/\[1\/1\] line-1: (empty answer, skipped|\d+ chars, finish (stop|length))\n/);
    if (result.code === 0) {
      const [line] = (await readFile(out, "utf8"))
        .trimEnd()
        .split("\n")
        .map((each) => JSON.parse(each) as SftLine);
      expect(line!.messages[1]!.content).not.toContain("internal-thoughts");
    } else {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("wrote 0 examples");
    }
  });

  it("exits 1 for an unknown model id", async () => {
    const suite = join(dir, "unknown-model.txt");
    await writeFile(suite, "Hello.\n");
    const result = await urial("generate", "--model", testModelPath, "--suite", suite, "--model-id", "urial/nope", ...fixtureFlags, ...engineFlags, "--out", join(dir, "u.jsonl"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The model 'urial/nope' does not exist.");
  });
});
