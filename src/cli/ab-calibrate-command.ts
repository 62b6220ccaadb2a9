/**
 * @module cli/ab-calibrate-command
 * `urial ab calibrate --from DIR --weak JUDGE --strong JUDGE`: judges the
 * answer pairs of a finished run with both judges (both orders each; the
 * run's judgement cache is shared, so a judge that already judged them asks
 * nothing) and reports agreement, Cohen's κ and the margin the weak judge
 * recovers. Writes calibration.json and calibration.md.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { JudgeUnavailableError } from "../ab/judge/judge-backend.js";
import { compareJudges } from "../ab/judge/judge-agreement.js";
import { judgePair, type PairToJudge } from "../ab/judge/judge-pair.js";
import { JsonlCache } from "../ab/offline/jsonl-cache.js";
import { mapLimit } from "../ab/offline/map-limit.js";
import { AbResultsError, readAbResults } from "../ab/offline/read-ab-results.js";
import { renderCalibrationMarkdown, type CalibrationReport } from "../ab/report/render-calibration.js";
import type { StoredJudgement } from "../ab/offline/run-ab.js";
import { abHelp, parseAbCalibrateConfig } from "../config/ab-config.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { ChatTemplateError } from "../engine/scoring-model.js";
import type { CommandIo } from "./command-io.js";
import { createAbProgress } from "./ab-progress.js";
import { judgeOptionFrom, openJudge, type OpenedJudge } from "./start-judge.js";

export async function runAbCalibrateCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const parsed = parseAbCalibrateConfig(argv, env);
  if (!parsed.ok) {
    io.stderr.write(`urial ab calibrate: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${abHelp("calibrate")}\n`);
    return 0;
  }
  const config = parsed.config;
  const opened: OpenedJudge[] = [];
  try {
    const from = resolve(config.from);
    const results = await readAbResults(from);
    const baseline = results.variants[0]!.id;
    const pairs: (PairToJudge & { prompt: string; candidateId: string; sample: number })[] = [];
    for (const prompt of results.prompts) {
      const conversation = prompt.messages ?? [{ role: "user" as const, content: prompt.query }];
      for (const pair of prompt.pairs) {
        const a = prompt.answers[baseline]?.[pair.sample];
        const b = prompt.answers[pair.candidate]?.[pair.sample];
        if (a === undefined || b === undefined || a.error !== null || b.error !== null) continue;
        pairs.push({ conversation, baseline: a.content, candidate: b.content, prompt: prompt.id, candidateId: pair.candidate, sample: pair.sample });
      }
    }
    const chosen = config.limit === undefined ? pairs : pairs.slice(0, config.limit);
    if (chosen.length === 0) throw new AbResultsError(`${from}/results.json: no answer pairs to judge`);
    const models = { modelsDir: config.modelsDir, env, output: io.stderr };
    const open = async (judge: string, model: string | undefined) => {
      const handle = await openJudge(judgeOptionFrom(config, judge, model, models));
      opened.push(handle);
      return handle;
    };
    const weak = await open(config.weak, config.weakModel);
    const strong = await open(config.strong, config.strongModel);
    const cache = await JsonlCache.open<StoredJudgement>(join(from, "cache", "judgements.jsonl"));
    const progress = createAbProgress(io.stderr);
    const preferences: Record<"weak" | "strong", (number | null)[]> = { weak: [], strong: [] };
    const failures = { weak: 0, strong: 0 };
    let calls = 0;
    try {
      for (const [side, judge] of [
        ["weak", weak],
        ["strong", strong],
      ] as const) {
        progress.update({ type: "phase", phase: "judging", total: chosen.length, cached: 0 });
        let done = 0;
        preferences[side] = await mapLimit(chosen, config.judgeParallel, async (pair) => {
          const judged = await judgePair(pair, { identity: judge.identity, backend: () => judge.connect() }, cache, {
            retries: config.judgeRetries,
            seed: config.seed,
            maxTokens: config.judgeMaxTokens,
          });
          calls += judged.calls;
          if (judged.preference === null) failures[side] += 1;
          done += 1;
          progress.update({ type: "step", phase: "judging", done, total: chosen.length, label: `${side} · ${pair.prompt}` });
          return judged.preference;
        });
      }
    } finally {
      progress.end();
      await cache.flush();
    }
    const winRate = (values: (number | null)[]) => {
      const judged = values.filter((value): value is number => value !== null);
      return judged.length === 0 ? null : judged.reduce((sum, value) => sum + value, 0) / judged.length;
    };
    const report: CalibrationReport = {
      format: "urial-ab-calibration",
      version: 1,
      createdAt: new Date().toISOString(),
      from,
      weak: { ...withoutIdentity(weak.description), winRate: winRate(preferences.weak), failedPairs: failures.weak },
      strong: { ...withoutIdentity(strong.description), winRate: winRate(preferences.strong), failedPairs: failures.strong },
      pairs: chosen.length,
      comparison: compareJudges(preferences.weak, preferences.strong),
      perPair: chosen.map((pair, index) => ({
        prompt: pair.prompt,
        candidate: pair.candidateId,
        sample: pair.sample,
        weak: preferences.weak[index] ?? null,
        strong: preferences.strong[index] ?? null,
      })),
    };
    const out = resolve(config.out ?? from);
    await mkdir(out, { recursive: true });
    const markdown = renderCalibrationMarkdown(report);
    for (const [name, text] of [
      ["calibration.json", `${JSON.stringify(report, null, 1)}\n`],
      ["calibration.md", markdown],
    ] as const) {
      await writeFile(join(out, `${name}.partial`), text);
      await rename(join(out, `${name}.partial`), join(out, name));
    }
    io.stdout.write(
      `${markdown.split("\n").find((line) => line.startsWith("Agreement")) ?? ""}\n${calls} judgements asked; wrote ${join(out, "calibration.json")} and ${join(out, "calibration.md")}\n`,
    );
    return 0;
  } catch (error) {
    if ([AbResultsError, JudgeUnavailableError, ModelLoadError, ChatTemplateError].some((kind) => error instanceof kind)) {
      io.stderr.write(`urial ab calibrate: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    for (const judge of opened) await judge.close();
  }
}

function withoutIdentity<Description extends { identity: string }>(description: Description): Omit<Description, "identity"> {
  const { identity: _identity, ...rest } = description;
  return rest;
}
