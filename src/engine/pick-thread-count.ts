/**
 * @module engine/pick-thread-count
 * Measures decode speed for each candidate thread count on the loaded model
 * and picks the fastest. The physical core count is what llama.cpp suggests,
 * but measured here: on a 2-core VM, 2 threads decoded a 135M model at 50
 * tokens/s and 1 thread at 170 (the threads spin against each other and
 * against Node's own thread). So "auto" measures instead of guessing.
 */
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";

export interface ThreadTrial {
  threads: number;
  /** Median decode tokens/s over the rounds. */
  tokensPerSecond: number;
}

export interface ThreadSweep {
  best: number;
  trials: ThreadTrial[];
}

/** Tokens timed per trial; a slow (large) model gets fewer so start-up stays short. */
const trialTokens = 10;
const slowTokenMs = 250;

/** Sweeps `candidates` (interleaved, `rounds` times) with a small scratch context; ties go to fewer threads. */
export async function pickThreadCount(model: LlamaModel, candidates: readonly number[], rounds = 2): Promise<ThreadSweep> {
  const unique = [...new Set(candidates)].filter((count) => count >= 1).sort((a, b) => a - b);
  if (unique.length <= 1) return { best: unique[0] ?? 1, trials: [] };
  const prompt = model.tokenize("Once upon a time, in a small town by the sea, there lived", false) as Token[];
  const contexts = await Promise.all(unique.map((threads) => model.createContext({ contextSize: 128, sequences: 1, threads })));
  const samples = new Map<number, number[]>(unique.map((threads) => [threads, []]));
  let tokens = trialTokens;
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, threads] of unique.entries()) {
        const sequence = contexts[index]!.getSequence();
        const { perSecond, msPerToken } = await timeDecode(sequence, prompt, tokens);
        samples.get(threads)!.push(perSecond);
        sequence.dispose();
        if (msPerToken > slowTokenMs) tokens = 4;
      }
    }
  } finally {
    for (const context of contexts) await context.dispose();
  }
  const trials = unique.map((threads) => ({ threads, tokensPerSecond: median(samples.get(threads)!) }));
  const best = trials.reduce((winner, trial) => (trial.tokensPerSecond > winner.tokensPerSecond * 1.02 ? trial : winner), trials[0]!);
  return { best: best.threads, trials };
}

async function timeDecode(sequence: LlamaContextSequence, prompt: Token[], count: number) {
  let produced = 0;
  let first = 0;
  for await (const token of sequence.evaluate(prompt, { temperature: 0, topK: 0, topP: 1, minP: 0 })) {
    void token;
    produced += 1;
    if (produced === 1) first = performance.now();
    if (produced >= count) break;
  }
  const elapsed = performance.now() - first;
  const intervals = Math.max(1, produced - 1);
  return { perSecond: (intervals / elapsed) * 1000, msPerToken: elapsed / intervals };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
