/**
 * @module ab/judge/judge-pair
 * Judges one pair of answers in both orders with a judge (cached per order
 * under the same keys `urial ab` uses, so `calibrate` reuses the main run's
 * judgements when a judge is the same) and combines the orders.
 */
import type { PairOrder } from "../offline/ab-results.js";
import { askJudge, type JudgeAnswer, type JudgeBackend } from "./judge-backend.js";
import { pairwiseJudgePrompt, type JudgeTurn } from "./judge-prompts.js";
import type { JsonlCache } from "../offline/jsonl-cache.js";
import { combineOrders } from "./pair-preference.js";
import { parsePairVerdict, type PairVerdict } from "./parse-judgement.js";
import { pairOrderKey, type StoredJudgement } from "../offline/run-ab.js";

export interface PairToJudge {
  conversation: readonly JudgeTurn[];
  baseline: string;
  candidate: string;
}

/** Both orders (from the cache where possible) and the pair's preference for the candidate. */
export async function judgePair(
  pair: PairToJudge,
  judge: { identity: string; backend: () => Promise<JudgeBackend> },
  cache: JsonlCache<StoredJudgement>,
  options: { retries: number; seed: number; maxTokens: number },
): Promise<{ orders: PairOrder[]; preference: number | null; calls: number }> {
  if (pair.baseline === pair.candidate) {
    const orders: PairOrder[] = (["baseline", "candidate"] as const).map((first) => ({ first, ok: true, winner: "tie", reason: "identical answers", attempts: 0 }));
    return { orders, preference: 0.5, calls: 0 };
  }
  let calls = 0;
  const orders: PairOrder[] = [];
  for (const first of ["baseline", "candidate"] as const) {
    const [a, b] = first === "baseline" ? [pair.baseline, pair.candidate] : [pair.candidate, pair.baseline];
    const key = pairOrderKey(judge.identity, options.maxTokens, pair.conversation, a, b);
    let judgement = cache.get(key) as JudgeAnswer<PairVerdict> | undefined;
    if (judgement === undefined) {
      judgement = await askJudge(await judge.backend(), pairwiseJudgePrompt(pair.conversation, a, b), parsePairVerdict, { retries: options.retries, seed: options.seed, maxTokens: options.maxTokens });
      await cache.set(key, judgement);
      calls += 1;
    }
    if (!judgement.ok) orders.push({ first, ...judgement });
    else {
      const other = first === "baseline" ? "candidate" : "baseline";
      orders.push({ first, ok: true, winner: judgement.value.winner === "tie" ? "tie" : judgement.value.winner === "A" ? first : other, reason: judgement.value.reason, attempts: judgement.attempts });
    }
  }
  return { orders, preference: combineOrders(orders).preference, calls };
}
