/**
 * `urial ab` end to end: the REAL engine on stories260K (skipped visibly
 * without it) answers a small suite with the tiny fixture sets through the
 * server pipeline, a scripted judge served over real HTTP on loopback judges
 * them, and the run writes results.json, report.md and report.html. A rerun
 * does no repeated work; unreadable judge replies are retried, then counted.
 * Then `urial ab calibrate` and `urial ab evolve` on the same run.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AbResults } from "../../src/ab/offline/ab-results.js";
import type { CalibrationReport } from "../../src/ab/report/render-calibration.js";
import { runAbCommand } from "../../src/cli/ab-command.js";
import type { CommandIo as AbCommandIo } from "../../src/cli/command-io.js";
import { parseSuite } from "../../src/suite/read-suite.js";
import { startScriptedJudge, type ScriptedJudge } from "../support/scripted-judge.js";
import { modelSuiteTitle, testModelExists, testModelPath } from "../support/test-model.js";
import { chatModelPath } from "../shift/support/shift-test-models.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const fixtureFlags = ["--exemplars", "tiny", "--exemplars-dir", fixtures("exemplars"), "--system-prompts-dir", fixtures("system-prompts")];
const engineFlags = ["--threads", "1", "--gpu", "off", "--context-size", "512", "--max-tokens", "24"];

function capture(): AbCommandIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    out: () => out,
    err: () => err,
  };
}

async function ab(args: string[]) {
  const io = capture();
  const code = await runAbCommand(args, {}, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const suiteLines = [
  { id: "dog", category: "story", query: "Tell me about a dog." },
  { id: "moon", category: "story", query: "Tell me about the moon." },
  { id: "ball", category: "play", query: "What can I do with a ball?" },
  {
    id: "chat",
    category: "multi-turn",
    messages: [
      { role: "user", content: "Hi!" },
      { role: "assistant", content: "Hello! Do you want a story?" },
      { role: "user", content: "Yes, about a cat." },
    ],
  },
];

let dir = "";
let judge: ScriptedJudge;
let strong: ScriptedJudge;
let suite = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-ab-"));
  suite = join(dir, "suite.jsonl");
  await writeFile(suite, suiteLines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  // Pair judgements of the moon prompt are never readable; aspect scores of the dog prompt only on a retry.
  judge = await startScriptedJudge({
    unreadable: ({ kind, user }) => (kind === "pair" && user.includes("the moon") ? "always" : kind === "scores" && user.includes("about a dog") ? "once" : undefined),
  });
  strong = await startScriptedJudge({ models: ["strong-judge"], pairRule: "shorter" });
});
afterAll(async () => {
  await judge?.close();
  await strong?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("urial ab usage", () => {
  it("exits 2 naming a missing flag or a bad value, before loading anything", async () => {
    expect(await ab(["--judge", "local", "--out", dir, "--model", testModelPath])).toEqual({
      code: 2,
      stdout: "",
      stderr: "urial ab: --variants IDS is required. Run 'urial ab --help' for the options.\n",
    });
    const one = await ab(["--variants", "urial/tiny", "--judge", judge.url, "--out", dir, "--model", testModelPath]);
    expect(one.stderr).toBe("urial ab: --variants must name at least two different model ids, comma-separated; got 'urial/tiny'.\n");
    const greedy = await ab(["--variants", "urial/tiny,urial/tiny-two", "--judge", judge.url, "--out", dir, "--model", testModelPath, "--samples", "3"]);
    expect(greedy.stderr).toBe("urial ab: --samples 3 needs --temperature above 0 (greedy answers would all be the same).\n");
    const local = await ab(["--variants", "urial/tiny,urial/tiny-two", "--judge", "local", "--out", dir, "--model", testModelPath]);
    expect(local.stderr).toBe("urial ab: --judge local needs --judge-model PATH (or URIAL_JUDGE_MODEL): a chat GGUF.\n");
    const badJudge = await ab(["--variants", "a,b", "--judge", "ftp://x", "--out", dir, "--model", testModelPath]);
    expect(badJudge.stderr).toBe("urial ab: --judge (or URIAL_JUDGE) must be an http(s) URL or 'local'; got 'ftp://x'.\n");
  });

  it("exits 1 for an unknown variant, naming the ids there are", async () => {
    const result = await ab([
      "--suite",
      suite,
      "--variants",
      "urial/tiny,urial/nope",
      "--judge",
      judge.url,
      "--judge-model",
      "scripted-judge",
      "--out",
      join(dir, "never"),
      "--model",
      testModelPath,
      ...fixtureFlags,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("urial ab: --variants: The model 'urial/nope' does not exist. Available: urial, urial/tiny-two, urial/tiny, base.\n");
  });

  it("prints its help", async () => {
    const result = await ab(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--variants IDS");
    expect(result.stdout).toContain("URIAL_JUDGE_API_KEY");
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("urial ab on stories260K with a judge over HTTP"), () => {
  const out = () => join(dir, "run");
  const args = () => [
    "--suite",
    suite,
    "--variants",
    "urial/tiny,urial/tiny-two",
    "--judge",
    judge.url,
    "--out",
    out(),
    "--model",
    testModelPath,
    "--judge-parallel",
    "2",
    "--bootstrap",
    "500",
    ...fixtureFlags,
    ...engineFlags,
  ];
  let results: AbResults;
  let firstRequests = 0;

  it("generates, judges and writes results.json, report.md and report.html", async () => {
    const result = await ab(args());
    expect(result.code, result.stderr).toBe(0);
    firstRequests = judge.requests.length;
    for (const file of ["results.json", "report.md", "report.html", "cache/answers.jsonl", "cache/judgements.jsonl"]) expect(existsSync(join(out(), file)), file).toBe(true);
    expect(result.stderr).toContain("[urial] loading ");
    expect(result.stderr).toContain("answers: 8 in all, 0 cached, 8 to generate\n");
    expect(result.stderr).toMatch(/answers 8\/8 \(\d+\.\d s\)\n/);
    expect(result.stdout).toMatch(/^urial\/tiny-two vs urial\/tiny: win \d+ · tie \d+ · loss \d+ \(\d+ pairs\) · win rate /);
    expect(result.stdout).toContain("work: 8 answers generated, 0 cached;");

    results = JSON.parse(await readFile(join(out(), "results.json"), "utf8")) as AbResults;
    expect(results).toMatchObject({ format: "urial-ab", version: 1, judge: { kind: "remote", model: "scripted-judge", url: judge.url, promptVersion: "urial-ab-judge/1" } });
    expect(results.variants.map((variant) => variant.id)).toEqual(["urial/tiny", "urial/tiny-two"]);
    expect(results.prompts.map((prompt) => [prompt.id, prompt.category])).toEqual([
      ["dog", "story"],
      ["moon", "story"],
      ["ball", "play"],
      ["chat", "multi-turn"],
    ]);
    for (const prompt of results.prompts) {
      for (const variant of ["urial/tiny", "urial/tiny-two"]) {
        const [answer] = prompt.answers[variant]!;
        expect(answer!.error).toBeNull();
        expect(answer!.content).not.toContain("# Query");
        expect(answer!.content).not.toContain("```");
        expect(answer!.seed).toBe(1);
        expect(answer!.completionTokens).toBeGreaterThan(0);
        expect(answer!.completionTokens).toBeLessThanOrEqual(24);
      }
    }
    // The multi-turn item was sent as a conversation: the judge saw the earlier turns.
    expect(judge.requests.some((request) => request.user.includes("The conversation so far:") && request.user.includes("Hello! Do you want a story?"))).toBe(true);
  });

  it("judges pairs in both orders by the scripted rule, and scores by it", () => {
    for (const prompt of results.prompts) {
      const a = prompt.answers["urial/tiny"]![0]!.content;
      const b = prompt.answers["urial/tiny-two"]![0]!.content;
      const [pair] = prompt.pairs;
      expect(pair!.lengthDifference).toBe(b.length - a.length);
      if (a === b) {
        expect(pair!.orders.every((order) => order.ok && order.reason === "identical answers")).toBe(true);
        continue;
      }
      if (prompt.id === "moon") continue;
      // The judge prefers the longer answer whichever position it is shown in.
      const expected = b.length > a.length ? "win" : b.length < a.length ? "loss" : "tie";
      expect(pair!.verdict).toBe(expected);
      expect(pair!.preference).toBe(expected === "win" ? 1 : expected === "loss" ? 0 : 0.5);
      expect(pair!.orders.map((order) => order.first)).toEqual(["baseline", "candidate"]);
      for (const variant of ["urial/tiny", "urial/tiny-two"]) {
        const score = prompt.scores[variant]![0]!;
        expect(score.ok).toBe(true);
        if (score.ok) expect(score.scores.helpfulness.score).toBe(1 + (prompt.answers[variant]![0]!.content.length % 5));
      }
    }
  });

  it("counts unreadable judge replies after their retries, and never drops them", () => {
    const moon = results.prompts.find((prompt) => prompt.id === "moon")!;
    // The two sets give the tiny model different greedy answers here (checked, so the branch below is not vacuous).
    expect(moon.answers["urial/tiny"]![0]!.content).not.toBe(moon.answers["urial/tiny-two"]![0]!.content);
    const [pair] = moon.pairs;
    {
      expect(pair!.preference).toBeNull();
      expect(pair!.verdict).toBeNull();
      for (const order of pair!.orders) {
        expect(order).toMatchObject({ ok: false, attempts: 3, error: "no JSON object in the reply", raw: "I think the first one is better, honestly." });
      }
      expect(results.summary.failures.pairOrders).toBe(2);
      expect(results.summary.comparisons[0]!.failedPairs).toBe(1);
      // Three attempts per order, each a real request.
      expect(judge.requests.filter((request) => request.kind === "pair" && request.user.includes("the moon"))).toHaveLength(6);
    }
    // The dog prompt's scores were unreadable once and read on the retry.
    const dog = results.prompts.find((prompt) => prompt.id === "dog")!;
    for (const variant of ["urial/tiny", "urial/tiny-two"]) expect(dog.scores[variant]![0]).toMatchObject({ ok: true, attempts: 2 });
    const distinctDogAnswers = new Set(Object.values(dog.answers).map((answers) => answers[0]!.content)).size;
    expect(results.summary.failures.retried).toBe(distinctDogAnswers);
    expect(results.summary.failures.scores).toBe(0);
    const comparison = results.summary.comparisons[0]!;
    expect(comparison.pairs + comparison.failedPairs + comparison.skippedPairs).toBe(4);
    expect(comparison.wins + comparison.ties + comparison.losses).toBe(comparison.pairs);
  });

  it("writes a self-contained report.html and a report.md with the numbers", async () => {
    const html = await readFile(join(out(), "report.html"), "utf8");
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain('<option value="multi-turn">multi-turn</option>');
    expect(html.match(/<article class="prompt"/g)).toHaveLength(4);
    expect(html).toContain('class="aspect-chart"');
    expect(html).toContain(`model &#39;scripted-judge&#39; at ${judge.url}`);
    const markdown = await readFile(join(out(), "report.md"), "utf8");
    expect(markdown).toContain("# A/B report: urial/tiny-two vs urial/tiny");
    expect(markdown).toContain(`Judged by model 'scripted-judge' at ${judge.url}`);
    expect(markdown).toMatch(/\| urial\/tiny-two \| \d+ \| \d+ \(/);
    expect(markdown).toContain("| helpfulness |");
    expect(markdown).toContain("## Judge failures");
  });

  it("resumes without repeating work: no model load, no judge request, the same results", async () => {
    const again = await ab(args());
    expect(again.code, again.stderr).toBe(0);
    expect(judge.requests.length).toBe(firstRequests);
    expect(again.stderr).not.toContain("[urial] loading ");
    expect(again.stderr).toContain("answers: 8 in all, 8 cached, 0 to generate\n");
    expect(again.stdout).toContain("work: 0 answers generated, 8 cached; 0 judgements asked,");
    const second = JSON.parse(await readFile(join(out(), "results.json"), "utf8")) as AbResults;
    expect(second.prompts).toEqual(results.prompts);
    expect(second.summary).toEqual(results.summary);
  });

  it("does only the new work when the suite grows", async () => {
    const bigger = join(dir, "bigger.jsonl");
    await writeFile(bigger, [...suiteLines, { id: "sun", category: "story", query: "Tell me about the sun." }].map((line) => `${JSON.stringify(line)}\n`).join(""));
    const before = judge.requests.length;
    const result = await ab(args().map((arg) => (arg === suite ? bigger : arg)));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("answers: 10 in all, 8 cached, 2 to generate\n");
    // New: two answers' scores and, unless they are the same text, two pair orders.
    const grown = JSON.parse(await readFile(join(out(), "results.json"), "utf8")) as AbResults;
    const sun = grown.prompts.find((prompt) => prompt.id === "sun")!;
    const same = sun.answers["urial/tiny"]![0]!.content === sun.answers["urial/tiny-two"]![0]!.content;
    expect(judge.requests.length - before).toBe(same ? 1 : 4);
  });

  it("calibrates a weak judge against a strong one on the run's pairs", async () => {
    const weakBefore = judge.requests.length;
    const result = await ab(["calibrate", "--from", out(), "--weak", judge.url, "--weak-model", "scripted-judge", "--strong", strong.url, "--judge-retries", "0"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(out(), "calibration.json"), "utf8")) as CalibrationReport;
    expect(report.weak).toMatchObject({ kind: "remote", model: "scripted-judge" });
    expect(report.strong).toMatchObject({ kind: "remote", model: "strong-judge" });
    // The weak judge's pairs come from the run's cache (its moon orders included): only the strong judge is asked.
    expect(judge.requests.length).toBe(weakBefore);
    expect(strong.requests.length).toBeGreaterThan(0);
    // The strong judge prefers the shorter answer, the weak one the longer: opposite verdicts on every decided pair.
    const decided = report.perPair.filter((pair) => pair.weak !== null && pair.strong !== null);
    for (const pair of decided) expect(pair.weak! + pair.strong!).toBe(1);
    const decisive = decided.filter((pair) => pair.strong !== 0.5);
    expect(report.comparison.pairs).toBe(decided.length);
    expect(report.comparison.decisivePairs).toBe(decisive.length);
    expect(decisive.length).toBeGreaterThan(0);
    expect(report.comparison.decisiveAgreement).toBe(0);
    expect(report.comparison.marginRecovered).toBeCloseTo(-1, 12);
    expect(report.comparison.agreement.kappa).toBeLessThan(0);
    const markdown = await readFile(join(out(), "calibration.md"), "utf8");
    expect(markdown).toContain(`Weak judge: 'scripted-judge' at ${judge.url}. Strong judge (the reference): 'strong-judge' at ${strong.url}.`);
    expect(result.stdout).toMatch(/^Agreement /);
  });

  it("evolves the most informative prompts into a new suite", async () => {
    const file = join(dir, "evolved.jsonl");
    const result = await ab(["evolve", "--from", out(), "--judge", judge.url, "--judge-model", "scripted-judge", "--top", "2", "--out", file]);
    expect(result.code, result.stderr).toBe(0);
    const items = parseSuite(await readFile(file, "utf8"), file);
    expect(items).toHaveLength(5 + 2);
    const evolved = items.slice(5);
    for (const item of evolved) {
      expect(item.id).toMatch(/-evolved$/);
      expect(item.query).toMatch(/^A harder version of: /);
    }
    expect(result.stdout).toBe(`wrote ${file}: 5 prompts of the run and 2 harder ones\n`);
  });
});

describe.skipIf(!testModelExists || !existsSync(chatModelPath))(modelSuiteTitle("urial ab with a local chat GGUF as the judge"), () => {
  it("judges in process with the chat model's template and counts what it cannot read", async () => {
    const one = join(dir, "one.jsonl");
    await writeFile(one, `${JSON.stringify({ id: "dog", category: "story", query: "Tell me about a dog." })}\n`);
    const out = join(dir, "local");
    const result = await ab([
      "--suite",
      one,
      "--variants",
      "urial/tiny,urial/tiny-two",
      "--judge",
      "local",
      "--judge-model",
      chatModelPath,
      "--judge-context-size",
      "2048",
      "--judge-max-tokens",
      "48",
      "--judge-retries",
      "0",
      "--out",
      out,
      "--model",
      testModelPath,
      "--bootstrap",
      "200",
      ...fixtureFlags,
      ...engineFlags,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`[urial] loading the judge ${chatModelPath}`);
    const results = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as AbResults;
    expect(results.judge).toEqual({ kind: "local", model: chatModelPath, promptVersion: "urial-ab-judge/1" });
    // A 260K-parameter story model writes stories, not JSON: every judgement is a counted failure with its reply kept.
    const [prompt] = results.prompts;
    const judgements = [...Object.values(prompt!.scores).flat(), ...prompt!.pairs.flatMap((pair) => pair.orders)];
    expect(judgements.length).toBeGreaterThan(0);
    for (const judgement of judgements) {
      if (judgement !== null && !judgement.ok) expect(judgement.attempts).toBe(1);
    }
    const failures = results.summary.failures;
    expect(failures.scores + failures.pairOrders).toBe(judgements.filter((judgement) => judgement !== null && !judgement.ok).length);
    expect(await readFile(join(out, "report.md"), "utf8")).toContain(`Judged by local chat model ${chatModelPath}`);
  });
});
