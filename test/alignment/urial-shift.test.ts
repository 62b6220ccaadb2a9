/**
 * `urial shift` on the styleshot pair (base + its chat twin), through the
 * command: the chat twin's answers are shifted at their start for the base
 * model read zero-shot — the opener and the list head it would not write on
 * its own — and URIAL's context closes that early shift. Also the exact
 * self-check: the base model read against its own greedy answer in the same
 * zero-shot layout is 100 % unshifted. Greedy decoding and teacher forcing
 * on one binary are deterministic, so the figures are the same on every
 * run; the thresholds leave room for another llama.cpp build.
 * Skipped, visibly, without the two GGUFs.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runShiftCommand } from "../../src/cli/shift-command.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import type { ShiftReport } from "../../src/shift/shift-schema.js";
import { projectCatalog, styleshotBasePath, styleshotChatPath, styleshotPairExists, styleshotSuiteTitle, worldQuestions } from "./support/styleshot.js";

let dir = "";
const questions = worldQuestions.filter((_, index) => index % 2 === 0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-shift-style-"));
  await writeFile(join(dir, "prompts.jsonl"), questions.map((query, index) => `${JSON.stringify({ id: `q${index + 1}`, query })}\n`).join(""));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function shift(out: string, flags: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runShiftCommand(
    [
      "--prompts",
      join(dir, "prompts.jsonl"),
      "--out",
      join(dir, out),
      "--exemplars-dir",
      projectCatalog.exemplarsDir,
      "--system-prompts-dir",
      projectCatalog.systemPromptsDir,
      "--threads",
      "1",
      "--gpu",
      "off",
      ...flags,
    ],
    {},
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } },
  );
  const report = code === 0 ? (JSON.parse(await readFile(join(dir, out, "shift.json"), "utf8")) as ShiftReport) : undefined;
  return { code, stdout, stderr, report };
}

describe.skipIf(!styleshotPairExists)(styleshotSuiteTitle("urial shift on the styleshot pair", true), () => {
  it("sees the chat twin's answers shifted at their start zero-shot, and URIAL closing that shift", async () => {
    // The README's reproduction command, on local files: --published sets the paper's split beside this run's.
    const run = await shift("pair", ["--base", styleshotBasePath, "--chat", styleshotChatPath, "--exemplars", "urial-help", "--max-tokens", "256", "--published", "llama-2-7b"]);
    expect(run.code, run.stderr).toBe(0);
    const { summary } = run.report!;
    const [zeroShotStart, , , zeroShotLate] = summary.zeroShot.byBucket;
    const [urialStart] = summary.urial.byBucket;
    expect(zeroShotStart!.positions).toBe(5 * questions.length);
    // Positions 1–5: 20 % shifted zero-shot, 0 % with URIAL (the models README's measurement). The figure asserted is the
    // shifted share of those positions: at least 10 % zero-shot, at most 2.5 % (one token in 40) with URIAL.
    expect(zeroShotStart!.shiftedShare!).toBeGreaterThanOrEqual(0.1);
    expect(urialStart!.shiftedShare!).toBeLessThanOrEqual(0.025);
    // The shift is concentrated at the start (later answer tokens are mostly facts, shifted alike or not at all).
    expect(zeroShotStart!.shiftedShare!).toBeGreaterThan(2 * (zeroShotLate!.shiftedShare ?? 0));
    expect(summary.urial.overall.shiftedShare!).toBeLessThan(summary.zeroShot.overall.shiftedShare!);
    // The chat twin answers in URIAL style, which is what the base is being read against.
    expect(run.stdout).toMatch(/^chat answers \(10\): full URIAL style 100\.0 % \[72\.2–100\.0\]/m);
    expect(run.stdout).toContain("| published (Lin et al. 2023) | 77.7 % | 14.5 % | 7.8 % |");
    expect(run.stdout).toMatch(/^\| this run, zero-shot base \| \d+\.\d % \| \d+\.\d % \| \d+\.\d % \|$/m);
  }, 600_000);

  it("finds the base model 100 % unshifted against its own greedy answers in the zero-shot layout", async () => {
    const layout = renderUrialPrompt({ system: "", exemplars: [], history: [], query: "{query}", template: "urial" }).text;
    const run = await shift("self", ["--base", styleshotBasePath, "--chat", styleshotBasePath, "--chat-template", layout, "--max-tokens", "48"]);
    expect(run.code, run.stderr).toBe(0);
    const { summary, prompts } = run.report!;
    expect(summary.positions).toBe(48 * questions.length);
    expect(summary.zeroShot.overall).toMatchObject({ unshifted: summary.positions, marginal: 0, shifted: 0, unshiftedShare: 1 });
    for (const prompt of prompts) for (const position of prompt.positions) expect(position.zeroShot.kl).toBeLessThan(1e-4);
  }, 600_000);
});
