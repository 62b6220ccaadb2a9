/**
 * @module engine/pick-thread-count
 * `--threads auto` for decode: measures decode speed for a few thread counts
 * on the loaded model and picks the fastest, within a fixed time budget.
 *
 * Why measure: on a 2-core VM, 2 threads decoded a 135M model at 50 tokens/s
 * and 1 thread at 170 (the threads spin against each other and Node's own
 * thread), while on large machines decode is memory-bound and saturates well
 * below the core count. Why bounded: measuring every count from 1 to the
 * core count, each with its own context, cost minutes on large machines.
 *
 * How: one sequence decodes one continuous stream of tokens while the thread
 * count is switched between tokens (see thread-phases). Candidates are the
 * core count halved down to 1 (64 cores: 64, 32, 16, 8, 4, 2, 1), tried from
 * the most threads down; a candidate clearly slower than the best so far
 * stops the sweep (fewer threads only get slower from there). Each candidate
 * gets an equal share of the budget: one untimed token (the switch), then up
 * to `tokensPerTrial` timed tokens. Once the budget is spent, each candidate
 * not yet tried still gets one token (judged by it alone): a count that is
 * slow on a busy machine must not use up the time of the ones after it. So
 * the sweep takes at most the budget plus one token per candidate (at most
 * log2(cores) + 1 of them, fewer with the early stop); a model whose first
 * token alone takes more than four budgets is not measured at all (the
 * caller uses every core).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";

export interface ThreadTrial {
  threads: number;
  /** Median decode tokens/s over the timed tokens. */
  tokensPerSecond: number;
}

export interface ThreadSweep {
  /** The fastest count (ties within 5 % go to fewer threads); undefined when nothing was measured. */
  best: number | undefined;
  trials: ThreadTrial[];
  /** Why the sweep ended. */
  ended: "all-candidates" | "slower" | "budget" | "slow-model" | "context-full";
  elapsedMs: number;
}

/** Time budget of one `--threads auto` measurement, in ms (documented in README and docs/engine-notes.md). */
export const autoThreadsBudgetMs = 3000;
/** Timed tokens per candidate. */
export const tokensPerTrial = 6;
/** A candidate slower than this share of the best so far ends the sweep. */
const slowerStop = 0.8;
const tieMargin = 1.05;

/** The candidates for `cores` physical cores: the core count halved down to 1, most first. */
export function decodeThreadCandidates(cores: number): number[] {
  const candidates: number[] = [];
  for (let count = Math.max(1, Math.floor(cores)); ; count = Math.ceil(count / 2)) {
    candidates.push(count);
    if (count === 1) break;
  }
  return candidates;
}

/** The fastest trial's count; a trial within 5 % of a faster one with more threads wins (fewer threads). */
export function fastestTrial(trials: readonly ThreadTrial[]): number | undefined {
  const top = Math.max(...trials.map((trial) => trial.tokensPerSecond));
  const near = trials.filter((trial) => trial.tokensPerSecond * tieMargin >= top);
  return near.length === 0 ? undefined : Math.min(...near.map((trial) => trial.threads));
}

/**
 * Decides, token by token, which thread count runs next. Pure: fed the
 * duration of each decoded token, it says which count to use for the next
 * one, or that the sweep is over. Each candidate gets an equal share of the
 * budget: one untimed token after the switch, then timed tokens until
 * `perTrial` of them or its share is spent (a candidate too slow for even one
 * timed token is judged by its untimed one).
 */
export class ThreadTrialPlan {
  readonly #candidates: readonly number[];
  readonly #budgetMs: number;
  readonly #perTrial: number;
  readonly #shareMs: number;
  readonly #samples = new Map<number, number[]>();
  #index = 0;
  #switchMs: number | undefined;
  #candidateMs = 0;
  #elapsedMs = 0;
  #overBudget = false;
  #ended: ThreadSweep["ended"] | undefined;

  constructor(candidates: readonly number[], budgetMs = autoThreadsBudgetMs, perTrial = tokensPerTrial) {
    if (candidates.length === 0) throw new RangeError("no thread counts to try");
    this.#candidates = candidates;
    this.#budgetMs = budgetMs;
    this.#perTrial = perTrial;
    this.#shareMs = budgetMs / candidates.length;
  }

  /** The count the next token should run with; undefined once the sweep is over. */
  get threads(): number | undefined {
    return this.#ended === undefined ? this.#candidates[this.#index] : undefined;
  }

  /**
   * Records the first token (the prompt, run on the fewest threads). Past the budget already (a large
   * model, or many threads spinning on a busy machine), each candidate gets
   * one token; a model slower than four budgets a token is not measured.
   */
  recordFirstToken(ms: number): void {
    this.#elapsedMs += ms;
    if (ms > 4 * this.#budgetMs) this.#ended = "slow-model";
    else if (ms > this.#budgetMs) this.#overBudget = true;
  }

  /** Records one decoded token's duration, run with `threads`. */
  recordToken(ms: number): void {
    if (this.#ended !== undefined) return;
    this.#elapsedMs += ms;
    this.#candidateMs += ms;
    const threads = this.#candidates[this.#index]!;
    if (this.#switchMs === undefined) this.#switchMs = ms;
    else {
      const samples = this.#samples.get(threads) ?? [];
      samples.push(ms);
      this.#samples.set(threads, samples);
    }
    const timed = this.#samples.get(threads)?.length ?? 0;
    // Another token of this candidate would overrun its share (a token costs about the last one);
    // past the budget, each remaining candidate gets just its one switch token.
    if (this.#overBudget || timed >= this.#perTrial || this.#candidateMs + ms > this.#shareMs) this.#nextCandidate(threads);
    if (this.#elapsedMs >= this.#budgetMs) this.#overBudget = true;
    if (this.#ended === "all-candidates" && this.#overBudget) this.#ended = "budget";
  }

  /** The context cannot take more tokens. */
  stopForContext(): void {
    this.#ended ??= "context-full";
  }

  result(): ThreadSweep {
    const trials: ThreadTrial[] = [];
    for (const threads of this.#candidates) {
      const samples = this.#samples.get(threads);
      if (samples && samples.length > 0) trials.push({ threads, tokensPerSecond: 1000 / median(samples) });
    }
    return { best: fastestTrial(trials), trials, ended: this.#ended ?? "all-candidates", elapsedMs: this.#elapsedMs };
  }

  #nextCandidate(threads: number): void {
    if (!this.#samples.has(threads)) this.#samples.set(threads, [this.#switchMs!]);
    const trials = this.result().trials;
    const current = trials.find((trial) => trial.threads === threads)!;
    const best = Math.max(...trials.map((trial) => trial.tokensPerSecond));
    this.#index += 1;
    this.#switchMs = undefined;
    this.#candidateMs = 0;
    if (current.tokensPerSecond < best * slowerStop) this.#ended = "slower";
    else if (this.#index >= this.#candidates.length) this.#ended = "all-candidates";
  }
}

export interface MeasureDecodeThreadsOptions {
  /** An empty sequence of a context created with ideal threads ≥ every candidate; left empty again. */
  sequence: LlamaContextSequence;
  /** A few tokens to start from (BOS-free). */
  prompt: Token[];
  candidates: readonly number[];
  /** Applies a thread count to the next batch (ThreadPhases.setDecode). */
  setThreads(threads: number): void;
  budgetMs?: number;
}

/** Runs the sweep on a real sequence; see the module comment. */
export async function measureDecodeThreads(options: MeasureDecodeThreadsOptions): Promise<ThreadSweep> {
  const { sequence } = options;
  const plan = new ThreadTrialPlan(options.candidates, options.budgetMs ?? autoThreadsBudgetMs);
  const room = sequence.contextSize - options.prompt.length - 2;
  // The first step (the prompt) on the fewest threads: its cost is then about one single-thread token,
  // never many threads spinning on a busy machine (seen: 34 s for one step of 2 threads on a loaded 2-core VM).
  options.setThreads(Math.min(...options.candidates));
  let last = performance.now();
  let produced = 0;
  try {
    for await (const token of sequence.evaluate(options.prompt, { temperature: 0, topK: 0, topP: 1, minP: 0 })) {
      void token;
      const now = performance.now();
      if (produced === 0) plan.recordFirstToken(now - last);
      else plan.recordToken(now - last);
      produced += 1;
      if (produced >= room) plan.stopForContext();
      const next = plan.threads;
      if (next === undefined) break;
      options.setThreads(next);
      last = performance.now();
    }
  } finally {
    await sequence.clearHistory();
  }
  return plan.result();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
