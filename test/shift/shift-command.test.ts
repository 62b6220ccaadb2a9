/**
 * `urial shift` in-process: a real run on the stories260K pair whose
 * shift.json recomputes from its own per-position data, a run whose answers
 * are cut to fit a small context, and the errors for bad input.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runShiftCommand } from "../../src/cli/shift-command.js";
import { classifyRank } from "../../src/shift/classify-rank.js";
import { formatShiftSummary } from "../../src/shift/format-shift-summary.js";
import { shiftReportSchema, type ShiftReport } from "../../src/shift/shift-schema.js";
import { summarizePrompt, summarizeShift } from "../../src/shift/summarize-shift.js";
import { baseModelPath, chatModelPath, fixtureCatalog, pairExists, pairSuiteTitle } from "./support/shift-test-models.js";

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const code = await runShiftCommand(argv, {}, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } });
  return { code, stdout, stderr };
}

const fixtureFlags = ["--exemplars", "tiny", "--exemplars-dir", fixtureCatalog.exemplarsDir, "--system-prompts-dir", fixtureCatalog.systemPromptsDir, "--threads", "1", "--gpu", "off"];

let dir: string;
let promptsFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-shift-"));
  promptsFile = join(dir, "prompts.jsonl");
  await writeFile(
    promptsFile,
    [
      '{"id": "cat", "query": "Tell me a story about a cat."}',
      '{"id": "given", "query": "Tell me a story about a dog.", "answer": "Sure! Here is a story about a dog. Once upon a time, there was a dog named Max."}',
      '{"id": "hello", "query": "Hello!"}',
      '{"id": "never", "query": "This one is past --limit."}',
    ].join("\n"),
  );
});

describe.skipIf(!pairExists)(pairSuiteTitle("urial shift on the stories260K pair"), () => {
  let result: Captured;
  let report: ShiftReport;
  let out: string;

  beforeAll(async () => {
    out = join(dir, "run");
    result = await run(["--base", baseModelPath, "--chat", chatModelPath, "--prompts", promptsFile, "--out", out, "--limit", "3", "--max-tokens", "120", "--context-size", "512", ...fixtureFlags]);
    report = JSON.parse(await readFile(join(out, "shift.json"), "utf8")) as ShiftReport;
  });

  it("writes a valid shift.json and report.html and prints the summary line", async () => {
    expect(result.code, result.stderr).toBe(0);
    expect(shiftReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ format: "urial-shift", version: 1, settings: { topK: 10, maxTokens: 120, promptsFile, exemplarSet: { name: "tiny" } } });
    expect(report.prompts.map((prompt) => prompt.id)).toEqual(["cat", "given", "hello"]);
    expect(result.stdout.split("\n")[0]).toBe(formatShiftSummary(report.summary));
    expect(result.stdout).toContain(join(out, "report.html"));
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain(formatShiftSummary(report.summary).replace(/&/g, "&amp;"));
  });

  it("reports progress one line per prompt when stderr is not a terminal", () => {
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe("analysing 3 prompts");
    expect(lines.slice(1).map((line) => line.replace(/:.*/, ""))).toEqual(["[1/3] cat", "[2/3] given", "[3/3] hello"]);
  });

  it("has aggregates that recompute from its per-position data", () => {
    // Parsed from the file, so this checks what a reader of shift.json gets.
    const { createdAt: _createdAt, ...rest } = report;
    expect(summarizeShift(rest.prompts)).toEqual(report.summary);
    for (const prompt of report.prompts) {
      expect(summarizePrompt(prompt.positions)).toEqual(prompt.summary);
      expect(prompt.answer.scoredTokens).toBe(prompt.positions.length);
      prompt.positions.forEach((position, index) => {
        expect(position.position).toBe(index + 1);
        for (const score of [position.zeroShot, position.urial]) expect(score.category).toBe(classifyRank(score.rank));
      });
    }
    const overall = report.summary.zeroShot.overall;
    expect(overall.unshifted + overall.marginal + overall.shifted).toBe(report.summary.positions);
  });

  it("scores a given answer as given", () => {
    const given = report.prompts[1]!;
    expect(given.answer).toMatchObject({ source: "given", stopReason: "given", text: "Sure! Here is a story about a dog. Once upon a time, there was a dog named Max." });
    expect(given.positions.map((position) => position.text).join("")).toBe(given.answer.text);
  });

  it("cuts answers that do not fit a small context, marks them, and still succeeds", async () => {
    const small = join(dir, "small");
    const cut = await run([
      "--base",
      baseModelPath,
      "--chat",
      chatModelPath,
      "--prompts",
      promptsFile,
      "--out",
      small,
      "--limit",
      "1",
      "--max-tokens",
      "200",
      "--context-size",
      "256",
      ...fixtureFlags,
    ]);
    expect(cut.code, cut.stderr).toBe(0);
    const cutReport = JSON.parse(await readFile(join(small, "shift.json"), "utf8")) as ShiftReport;
    const prompt = cutReport.prompts[0]!;
    expect(prompt.answer.truncated).toBe(true);
    expect(prompt.answer.fullTokens).toBeGreaterThan(prompt.answer.scoredTokens);
    // The URIAL context is the longest: it sets the room left.
    expect(prompt.answer.scoredTokens).toBe(256 - prompt.contexts.urial.promptTokens + 1);
    expect(cutReport.summary.truncatedPrompts).toBe(1);
    expect(cut.stdout).toContain("(1 cut to fit the context)");
  });

  it("says when the chat model has no chat template (here: the base model as chat)", async () => {
    const failed = await run(["--base", baseModelPath, "--chat", baseModelPath, "--prompts", promptsFile, "--out", join(dir, "x"), ...fixtureFlags]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^urial shift: the chat model .* has no chat template .*--chat-template/);
  });

  it("says when the exemplar set leaves no room in the context", async () => {
    const failed = await run(["--base", baseModelPath, "--chat", chatModelPath, "--prompts", promptsFile, "--out", join(dir, "y"), "--context-size", "128", ...fixtureFlags]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^urial shift: the exemplar set 'tiny' renders to \d+ tokens, which leaves no room .* 128-token context/);
  });
});

describe("urial shift: bad input, before any model is loaded", () => {
  const models = ["--base", "/nonexistent/base.gguf", "--chat", "/nonexistent/chat.gguf"];

  it("names a missing prompts file", async () => {
    const failed = await run([...models, "--prompts", join(dir, "missing.jsonl"), "--out", join(dir, "z"), ...fixtureFlags]);
    expect(failed).toEqual({ code: 1, stdout: "", stderr: `urial shift: ${join(dir, "missing.jsonl")}: no such prompts file\n` });
  });

  it("names the malformed line of a prompts file", async () => {
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, '{"query": "fine"}\n{"query": "broken"\n');
    const failed = await run([...models, "--prompts", bad, "--out", join(dir, "z"), ...fixtureFlags]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`^urial shift: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:2: not valid JSON`));
  });

  it("names an unknown exemplar set", async () => {
    const failed = await run([...models, "--prompts", promptsFile, "--out", join(dir, "z"), ...fixtureFlags, "--exemplars", "nope"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/no exemplar set named 'nope'/);
  });

  it("names a model file that does not exist", async () => {
    const failed = await run([...models, "--prompts", promptsFile, "--out", join(dir, "z"), ...fixtureFlags]);
    expect(failed).toMatchObject({ code: 1, stderr: "urial shift: /nonexistent/base.gguf: no such file\n" });
  });

  it("exits 2 on a bad flag and 0 on --help", async () => {
    expect(await run(["--top-k", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("urial shift:") });
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: urial shift --base BASE\.gguf --chat CHAT\.gguf --out DIR/);
  });
});
