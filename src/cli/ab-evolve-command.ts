/**
 * @module cli/ab-evolve-command
 * `urial ab evolve --from DIR --judge URL|local --out SUITE.jsonl [--top K]`:
 * asks the judge model for a harder version of each of the K most
 * informative prompts of a finished run and writes a new suite — the run's
 * prompts, then the evolved ones (`<id>-evolved`, same category,
 * `evolvedFrom`). Unreadable replies are retried, then counted and skipped.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { evolvePrompt, parseEvolvedPrompt } from "../ab/offline/evolve-prompts.js";
import { askJudge, JudgeUnavailableError } from "../ab/judge/judge-backend.js";
import { rankByInformativeness } from "../ab/offline/informativeness.js";
import { AbResultsError, readAbResults } from "../ab/offline/read-ab-results.js";
import { abHelp, parseAbEvolveConfig } from "../config/ab-config.js";
import { ModelLoadError } from "../models/model-file-check.js";
import { ChatTemplateError } from "../engine/scoring-model.js";
import type { CommandIo } from "./command-io.js";
import { judgeOptionFrom, openJudge } from "./start-judge.js";

export async function runAbEvolveCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const parsed = parseAbEvolveConfig(argv, env);
  if (!parsed.ok) {
    io.stderr.write(`urial ab evolve: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${abHelp("evolve")}\n`);
    return 0;
  }
  const config = parsed.config;
  let close: (() => Promise<void>) | undefined;
  try {
    const results = await readAbResults(config.from);
    const chosen = rankByInformativeness(results.prompts)
      .filter((prompt) => prompt.informativeness !== null)
      .slice(0, config.top);
    if (chosen.length === 0) throw new AbResultsError(`${config.from}/results.json: no prompt has judged scores from every variant, so none can be ranked`);
    const judge = await openJudge(judgeOptionFrom(config, config.judge, config.judgeModel, { modelsDir: config.modelsDir, env, output: io.stderr }));
    close = () => judge.close();
    const backend = await judge.connect();
    const ids = new Set(results.prompts.map((prompt) => prompt.id));
    const evolved: string[] = [];
    let failed = 0;
    for (const [index, prompt] of chosen.entries()) {
      const answer = await askJudge(backend, evolvePrompt(prompt.query, prompt.category), parseEvolvedPrompt, { retries: config.judgeRetries, seed: config.seed, maxTokens: 512 });
      if (!answer.ok) {
        failed += 1;
        io.stderr.write(`[${index + 1}/${chosen.length}] ${prompt.id}: unreadable after ${answer.attempts} attempts (${answer.error}), skipped\n`);
        continue;
      }
      let id = `${prompt.id}-evolved`;
      for (let n = 2; ids.has(id); n += 1) id = `${prompt.id}-evolved-${n}`;
      ids.add(id);
      const messages = prompt.messages === undefined ? undefined : [...prompt.messages.slice(0, -1), { role: "user" as const, content: answer.value }];
      evolved.push(JSON.stringify({ id, category: prompt.category, ...(messages ? { messages } : { query: answer.value }), evolvedFrom: prompt.id }));
      io.stderr.write(`[${index + 1}/${chosen.length}] ${prompt.id} → ${id}\n`);
    }
    const original = results.prompts.map((prompt) => JSON.stringify({ id: prompt.id, category: prompt.category, ...(prompt.messages ? { messages: prompt.messages } : { query: prompt.query }) }));
    await mkdir(dirname(config.out), { recursive: true });
    await writeFile(`${config.out}.partial`, [...original, ...evolved].map((line) => `${line}\n`).join(""));
    await rename(`${config.out}.partial`, config.out);
    io.stdout.write(`wrote ${config.out}: ${original.length} prompts of the run and ${evolved.length} harder ones${failed > 0 ? ` (${failed} unreadable replies counted and skipped)` : ""}\n`);
    return evolved.length > 0 ? 0 : 1;
  } catch (error) {
    if ([AbResultsError, JudgeUnavailableError, ModelLoadError, ChatTemplateError].some((kind) => error instanceof kind)) {
      io.stderr.write(`urial ab evolve: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await close?.();
  }
}
