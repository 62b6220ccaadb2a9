/**
 * @module ab/offline/run-ab
 * An offline A/B run: every variant answers every prompt (`samples` times,
 * seeds `seed`, `seed + 1`, … shared by the variants), then the judge scores
 * every answer on the six aspects and compares each candidate's answer with
 * the baseline's in both orders. Each answer and each judgement is cached as
 * soon as it exists, keyed by what it depends on, so a rerun (or a run that
 * was stopped) only does the work that is new. The model and the judge are
 * started only when there is work for them.
 */
import type { AbAnswer, AbPromptResult, AbVariant, PairJudgement, PairOrder, ScoreJudgement } from "./ab-results.js";
import type { AnswerRequest } from "./answer-variant.js";
import { askJudge, type JudgeAnswer, type JudgeBackend } from "../judge/judge-backend.js";
import { aspectJudgePrompt, judgePromptVersion, pairwiseJudgePrompt, type JudgeTurn } from "../judge/judge-prompts.js";
import { judgeAspects } from "../judge/judge-aspects.js";
import { cacheKey, type JsonlCache } from "./jsonl-cache.js";
import { informativeness } from "./informativeness.js";
import { mapLimit } from "./map-limit.js";
import { combineOrders } from "../judge/pair-preference.js";
import { parseAspectScores, parsePairVerdict, type AspectScores, type PairVerdict } from "../judge/parse-judgement.js";
import type { SuiteItem, SuiteMessage } from "../../suite/read-suite.js";

/** A cached judgement: what `askJudge` returned. */
export type StoredJudgement = JudgeAnswer<AspectScores> | JudgeAnswer<PairVerdict>;

export type AbProgressEvent =
  { type: "phase"; phase: "answers" | "judging"; total: number; cached: number } | { type: "step"; phase: "answers" | "judging"; done: number; total: number; label: string };

/** The judge as the run needs it: its identity at once (for cache keys), the connection only when there is work. */
export interface LazyJudge {
  identity: string;
  connect(): Promise<JudgeBackend>;
}

export interface RunAbOptions {
  suite: readonly SuiteItem[];
  /** The first is the baseline. */
  variants: readonly AbVariant[];
  samples: number;
  seed: number;
  temperature: number;
  maxTokens: number;
  /** What makes the model's answers what they are (a fingerprint of the GGUF and the engine). */
  modelIdentity: string;
  /** Generates one answer (the CLI starts the engine on the first call). */
  generate(request: AnswerRequest): Promise<AbAnswer>;
  judge: LazyJudge;
  answers: JsonlCache<AbAnswer>;
  judgements: JsonlCache<StoredJudgement>;
  /** Retries of an unreadable judge reply. */
  judgeRetries: number;
  /** Judge requests in flight at once. */
  judgeParallel: number;
  /** Longest judge reply in tokens. Defaults to 512 for a pairwise verdict, 1024 for aspect scores. */
  judgeMaxTokens?: number;
  onProgress?: (event: AbProgressEvent) => void;
}

export interface AbRunOutcome {
  prompts: AbPromptResult[];
  work: { generated: number; answersCached: number; judgeCalls: number; judgementsCached: number };
}

/** The conversation a suite item sends. */
export function messagesOf(item: SuiteItem): SuiteMessage[] {
  return item.messages ?? [{ role: "user", content: item.query }];
}

/** Runs (or resumes) the generation and judging of a suite. */
export async function runAb(options: RunAbOptions): Promise<AbRunOutcome> {
  const { suite, variants, samples } = options;
  const work = { generated: 0, answersCached: 0, judgeCalls: 0, judgementsCached: 0 };
  const progress = options.onProgress ?? (() => undefined);

  // 1. Answers, variant by variant so each set's prefix stays in the KV cache.
  const answers = new Map<string, AbAnswer>();
  const answerJobs = variants.flatMap((variant) => suite.flatMap((item) => Array.from({ length: samples }, (_, sample) => ({ variant, item, sample }))));
  const answerKey = (job: (typeof answerJobs)[number]) =>
    cacheKey("urial-ab/answer/1", options.modelIdentity, job.variant.hash, messagesOf(job.item), options.seed + job.sample, options.temperature, options.maxTokens);
  const pendingAnswers = answerJobs.filter((job) => options.answers.get(answerKey(job)) === undefined);
  progress({ type: "phase", phase: "answers", total: answerJobs.length, cached: answerJobs.length - pendingAnswers.length });
  work.answersCached = answerJobs.length - pendingAnswers.length;
  let done = 0;
  for (const job of pendingAnswers) {
    const answer = await options.generate({ model: job.variant.id, messages: messagesOf(job.item), seed: options.seed + job.sample, temperature: options.temperature, maxTokens: options.maxTokens });
    await options.answers.set(answerKey(job), answer);
    work.generated += 1;
    done += 1;
    progress({ type: "step", phase: "answers", done, total: pendingAnswers.length, label: `${job.variant.id} · ${job.item.id}${samples > 1 ? ` #${job.sample + 1}` : ""}` });
  }
  for (const job of answerJobs) answers.set(answerSlot(job.variant.id, job.item.id, job.sample), options.answers.get(answerKey(job))!);

  // 2. Judgements: aspect scores of every answer, both orders of every pair.
  interface JudgeTask {
    key: string;
    label: string;
    ask(judge: JudgeBackend): Promise<StoredJudgement>;
  }
  const tasks: JudgeTask[] = [];
  const judgeKey = (...parts: unknown[]) => judgementKey(options.judge.identity, ...parts);
  const ask = { retries: options.judgeRetries, seed: options.seed };
  const pairTokens = options.judgeMaxTokens ?? defaultPairTokens;
  const scoreTokens = options.judgeMaxTokens ?? defaultScoreTokens;
  const prompts: AbPromptResult[] = suite.map((item) => ({
    id: item.id,
    category: item.category ?? "uncategorized",
    query: item.query,
    ...(item.messages !== undefined ? { messages: item.messages } : {}),
    answers: Object.fromEntries(variants.map((variant) => [variant.id, Array.from({ length: samples }, (_, sample) => answers.get(answerSlot(variant.id, item.id, sample))!)])),
    scores: {},
    pairs: [],
    informativeness: null,
  }));
  const scoreKeys = new Map<string, string>();
  const orderKeys = new Map<string, string>();
  suite.forEach((item) => {
    const conversation: JudgeTurn[] = messagesOf(item);
    for (const variant of variants) {
      for (let sample = 0; sample < samples; sample += 1) {
        const answer = answers.get(answerSlot(variant.id, item.id, sample))!;
        if (answer.error !== null) continue;
        const key = judgeKey("scores", scoreTokens, conversation, answer.content);
        scoreKeys.set(answerSlot(variant.id, item.id, sample), key);
        tasks.push({
          key,
          label: `scores · ${variant.id} · ${item.id}`,
          ask: (judge) => askJudge(judge, aspectJudgePrompt(conversation, answer.content), parseAspectScores, { ...ask, maxTokens: scoreTokens }),
        });
      }
    }
    const baseline = variants[0]!;
    for (const candidate of variants.slice(1)) {
      for (let sample = 0; sample < samples; sample += 1) {
        const first = answers.get(answerSlot(baseline.id, item.id, sample))!;
        const second = answers.get(answerSlot(candidate.id, item.id, sample))!;
        if (first.error !== null || second.error !== null || first.content === second.content) continue;
        for (const [order, a, b] of [
          ["baseline", first.content, second.content],
          ["candidate", second.content, first.content],
        ] as const) {
          const key = pairOrderKey(options.judge.identity, pairTokens, conversation, a, b);
          orderKeys.set(`${answerSlot(candidate.id, item.id, sample)}\u0000${order}`, key);
          tasks.push({
            key,
            label: `pair · ${candidate.id} vs ${baseline.id} · ${item.id}`,
            ask: (judge) => askJudge(judge, pairwiseJudgePrompt(conversation, a, b), parsePairVerdict, { ...ask, maxTokens: pairTokens }),
          });
        }
      }
    }
  });
  // The same judgement can be asked twice (two variants gave the same answer): once is enough.
  const unique = [...new Map(tasks.map((task) => [task.key, task])).values()];
  const pendingJudgements = unique.filter((task) => options.judgements.get(task.key) === undefined);
  work.judgementsCached = unique.length - pendingJudgements.length;
  progress({ type: "phase", phase: "judging", total: unique.length, cached: work.judgementsCached });
  if (pendingJudgements.length > 0) {
    const judge = await options.judge.connect();
    let judged = 0;
    await mapLimit(pendingJudgements, options.judgeParallel, async (task) => {
      const result = await task.ask(judge);
      await options.judgements.set(task.key, result);
      work.judgeCalls += 1;
      judged += 1;
      progress({ type: "step", phase: "judging", done: judged, total: pendingJudgements.length, label: task.label });
    });
  }

  // 3. Results per prompt.
  prompts.forEach((prompt) => {
    for (const variant of variants) {
      prompt.scores[variant.id] = Array.from({ length: samples }, (_, sample) => {
        const key = scoreKeys.get(answerSlot(variant.id, prompt.id, sample));
        return key === undefined ? null : toScoreJudgement(options.judgements.get(key) as JudgeAnswer<AspectScores>);
      });
    }
    const baseline = variants[0]!;
    for (const candidate of variants.slice(1)) {
      for (let sample = 0; sample < samples; sample += 1) {
        prompt.pairs.push(
          buildPair(prompt, baseline.id, candidate.id, sample, (order) => {
            const key = orderKeys.get(`${answerSlot(candidate.id, prompt.id, sample)}\u0000${order}`);
            return key === undefined ? undefined : (options.judgements.get(key) as JudgeAnswer<PairVerdict>);
          }),
        );
      }
    }
    prompt.informativeness = informativeness(
      variants.map((variant) =>
        (prompt.scores[variant.id] ?? []).flatMap((judgement) =>
          judgement !== null && judgement.ok ? [judgeAspects.reduce((sum, aspect) => sum + judgement.scores[aspect].score, 0) / judgeAspects.length] : [],
        ),
      ),
    );
  });
  return { prompts, work };
}

/** Longest pairwise verdict, in tokens, unless the run says otherwise. */
export const defaultPairTokens = 512;
/** Longest aspect-score reply, in tokens, unless the run says otherwise. */
export const defaultScoreTokens = 1024;

/** The cache key of one order of a pairwise judgement (answer `a` shown first). */
export function pairOrderKey(identity: string, maxTokens: number, conversation: readonly JudgeTurn[], a: string, b: string): string {
  return judgementKey(identity, "pair", maxTokens, conversation, a, b);
}

/** The cache key of a judgement by the judge with `identity` (the prompt version included). */
export function judgementKey(identity: string, ...parts: unknown[]): string {
  return cacheKey("urial-ab/judge/1", judgePromptVersion, identity, ...parts);
}

function answerSlot(variant: string, item: string, sample: number): string {
  return `${variant}\u0000${item}\u0000${sample}`;
}

function toScoreJudgement(answer: JudgeAnswer<AspectScores>): ScoreJudgement {
  return answer.ok ? { ok: true, scores: answer.value, attempts: answer.attempts } : answer;
}

function buildPair(prompt: AbPromptResult, baseline: string, candidate: string, sample: number, judgementOf: (first: "baseline" | "candidate") => JudgeAnswer<PairVerdict> | undefined): PairJudgement {
  const a = prompt.answers[baseline]![sample]!;
  const b = prompt.answers[candidate]![sample]!;
  const lengthDifference = b.content.length - a.content.length;
  if (a.error !== null || b.error !== null) {
    return { candidate, sample, orders: [], preference: null, verdict: null, lengthDifference, skipped: `no answer from ${a.error !== null ? baseline : candidate}` };
  }
  if (a.content === b.content) {
    const orders: PairOrder[] = (["baseline", "candidate"] as const).map((first) => ({ first, ok: true, winner: "tie", reason: "identical answers", attempts: 0 }));
    return { candidate, sample, orders, ...combineOrders(orders), lengthDifference };
  }
  const orders: PairOrder[] = (["baseline", "candidate"] as const).map((first) => {
    const judgement = judgementOf(first)!;
    if (!judgement.ok) return { first, ...judgement };
    // The answer shown as A is `first`'s.
    const other = first === "baseline" ? "candidate" : "baseline";
    const winner = judgement.value.winner === "tie" ? "tie" : judgement.value.winner === "A" ? first : other;
    return { first, ok: true, winner, reason: judgement.value.reason, attempts: judgement.attempts };
  });
  return { candidate, sample, orders, ...combineOrders(orders), lengthDifference };
}
