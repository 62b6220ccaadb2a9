/**
 * `urial ab` as a CI would run it, through the real built command on the
 * styleshot base model: the project's URIAL-style `urial-1shot` set against
 * a fixture set whose exemplars answer in one terse line (same system
 * prompt). A scripted judge that prefers structured answers picks the URIAL
 * variant, the judge-free style metrics separate the two variants on their
 * own, and the exit codes gate: 0 when the candidate clears `--fail-below`,
 * 4 when it does not, 3 when the judge's replies cannot be read. Answers
 * are generated once and cached; the later runs only ask judges. Greedy
 * decoding on one binary is deterministic, so the counts below are stable.
 * Skipped, visibly, without ../shared/models/styleshot-base.gguf.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AbResults } from "../../src/ab/offline/ab-results.js";
import { runUrial, repositoryRoot } from "../support/run-cli.js";
import { startScriptedJudge, type ScriptedJudge } from "../support/scripted-judge.js";
import { fixturePath, styleshotBaseExists, styleshotBasePath, styleshotSuiteTitle, worldQuestions } from "./support/styleshot.js";

let dir = "";
let judge: ScriptedJudge;
let unreadable: ScriptedJudge;
const limitMs = 580_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-ab-style-"));
  // The real URIAL set and system prompt beside the terse fixture: the variants differ only in their exemplars.
  await mkdir(join(dir, "exemplars"));
  await mkdir(join(dir, "system-prompts"));
  await copyFile(join(repositoryRoot, "exemplars/urial-1shot.json"), join(dir, "exemplars/urial-1shot.json"));
  await copyFile(fixturePath("terse/exemplars/terse.json"), join(dir, "exemplars/terse.json"));
  await copyFile(join(repositoryRoot, "system-prompts/urial-default.json"), join(dir, "system-prompts/urial-default.json"));
  const lines = worldQuestions.map((query, index) => JSON.stringify({ id: `q${index + 1}`, category: /plus|minus|times|even|odd/.test(query) ? "arithmetic" : "words", query }));
  await writeFile(join(dir, "suite.jsonl"), `${lines.join("\n")}\n`);
  judge = await startScriptedJudge({ pairRule: "structured" });
  unreadable = await startScriptedJudge({ unreadable: () => "always" });
});

afterAll(async () => {
  await judge?.close();
  await unreadable?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ab = (variants: string, judgeUrl: string, extra: string[] = []) =>
  runUrial(
    [
      "ab",
      ...["--suite", join(dir, "suite.jsonl"), "--variants", variants, "--judge", judgeUrl, "--judge-model", "scripted-judge", "--out", join(dir, "run")],
      ...["--model", styleshotBasePath, "--exemplars", "urial-1shot", "--exemplars-dir", join(dir, "exemplars"), "--system-prompts-dir", join(dir, "system-prompts")],
      ...["--threads", "1", "--gpu", "off", "--max-tokens", "256", "--bootstrap", "500"],
      ...extra,
    ],
    limitMs,
  );
const results = async () => JSON.parse(await readFile(join(dir, "run/results.json"), "utf8")) as AbResults;

describe.skipIf(!styleshotBaseExists)(styleshotSuiteTitle("urial ab tells a URIAL-style set from a terse one, and gates a CI on it"), () => {
  it(
    "picks the URIAL variant by the judge and by the style metrics alone, and exits 0 past --fail-below 0.5",
    async () => {
      const run = await ab("urial/terse,urial/urial-1shot", judge.url, ["--fail-below", "0.5"]);
      expect(run.code, run.stderr).toBe(0);
      const { summary, judge: judged, gates } = await results();
      const [terse, urial] = summary.variants;
      // Passed here with these thresholds (the models README: 100 % after URIAL-style exemplars, 0 % after terse ones).
      expect(urial!.style.counts.urialStyle).toBeGreaterThanOrEqual(17);
      expect(terse!.style.counts.urialStyle).toBeLessThanOrEqual(2);
      const comparison = summary.comparisons[0]!;
      for (const share of ["urialStyle", "opener", "closing"] as const) expect(comparison.style.find((entry) => entry.share === share)!.verdict, share).toBe("higher");
      // Median length: the intervals do not even overlap.
      expect(urial!.style.medianChars.low!).toBeGreaterThan(terse!.style.medianChars.high!);
      // The judge prefers numbered lists: the URIAL variant wins, distinguishably from a coin flip.
      expect(comparison.wins).toBeGreaterThanOrEqual(17);
      expect(comparison.winRateVerdict).toBe("better");
      expect(comparison.winRate.low!).toBeGreaterThanOrEqual(0.5);
      expect(gates).toMatchObject({ exitCode: 0, answers: { failed: 0, total: 40 }, judgements: { failed: 0 } });
      // Its output was constrained with response_format (the scripted endpoint accepts it).
      expect(judged.output).toBe("json_schema");
      expect(judge.requests.every((request) => (request.body.response_format as { type?: string } | undefined)?.type === "json_schema")).toBe(true);
      expect(run.stdout).toMatch(/^urial\/urial-1shot vs urial\/terse: BETTER — win rate \d+\.\d % \[[\d.]+–[\d.]+\] lies above 50 % \(20 pairs\) · style: full URIAL style \+/m);
      expect(run.stdout).toContain("ok: urial/urial-1shot win rate ");
      const markdown = await readFile(join(dir, "run/report.md"), "utf8");
      expect(markdown).toContain("## Verdict\n\n- urial/urial-1shot vs urial/terse: BETTER");
      expect(markdown).toContain("## Style (judge-free)");
      // No interval of the report is zero-width, though several shares are 0/20 or 20/20.
      expect(markdown).not.toMatch(/\[([\d.]+)–\1\]/);
      expect(markdown).toMatch(/0\.0 % \[0\.0–16\.1\]/);
    },
    limitMs + 10_000,
  );

  it(
    "exits 4 when the candidate's win rate is not above --fail-below, with the reports written",
    async () => {
      const run = await ab("urial/urial-1shot,urial/terse", judge.url, ["--fail-below", "0.5"]);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toContain("urial ab: exit 4: a candidate's win rate is below --fail-below");
      expect(run.stderr).not.toContain("[urial] loading");
      expect(run.stdout).toContain("work: 0 answers generated, 40 cached;");
      expect(run.stdout).toMatch(/^urial\/terse vs urial\/urial-1shot: WORSE/m);
      expect(run.stdout).toMatch(/^FAIL: urial\/terse win rate [\d.]+ % \[[\d.]+–[\d.]+\] over 20 pairs; its lower bound must be at least 50\.0 % \(--fail-below\)$/m);
      expect((await results()).gates?.exitCode).toBe(4);
    },
    limitMs + 10_000,
  );

  it(
    "exits 3 when more judgements fail than --max-failures allows",
    async () => {
      const run = await ab("urial/terse,urial/urial-1shot", unreadable.url, ["--judge-retries", "0", "--judge-parallel", "8"]);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain("urial ab: exit 3: too many answers or judgements failed (--max-failures)");
      expect(run.stdout).toMatch(/^FAIL: 80 of 80 judgements failed \(100\.0 %; at most 5\.0 % allowed by --max-failures\)$/m);
      // The threshold is the user's call: --max-failures 1 tolerates even a judge that is never readable.
      const tolerant = await ab("urial/terse,urial/urial-1shot", unreadable.url, ["--judge-retries", "0", "--max-failures", "1"]);
      expect(tolerant.code, tolerant.stderr).toBe(0);
    },
    2 * limitMs,
  );
});
