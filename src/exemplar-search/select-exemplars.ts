/**
 * @module exemplar-search/select-exemplars
 * The search itself, over pool indexes and an objective to minimise — pure
 * apart from the objective it is given:
 * 1. start from the empty set (the system prompt alone);
 * 2. greedy forward selection: each step adds the candidate whose set scores
 *    lowest (ties: the earlier pool index), until K exemplars or nothing fits;
 * 3. swap passes: for each position in turn, try every candidate outside the
 *    set in its place and keep the best replacement if it lowers the
 *    objective; stop after a pass that changes nothing.
 * A set is an ordered list (greedy order is prompt order). Each distinct set
 * is evaluated once. `maxEvaluations` bounds the work: when greedy alone would
 * need more, every step tries a seeded sample of the candidates, and the swap
 * passes stop when the budget is spent.
 */

/** The objective of an ordered set; null when the set does not fit the prefix budget. */
export type SetObjective = (set: readonly number[]) => Promise<number | null>;

export interface SelectionOptions {
  /** Candidates are 0 … poolSize − 1. */
  poolSize: number;
  /** Exemplars wanted. */
  k: number;
  evaluate: SetObjective;
  /** Passes of the swap phase; 0 skips it. */
  swapPasses: number;
  /** Most distinct sets to evaluate (the empty set included); undefined: no bound. */
  maxEvaluations?: number;
  /** Seeded random numbers in [0, 1) (sampling under a budget). */
  random: () => number;
  onEvaluated?: (event: EvaluatedEvent) => void;
}

export interface EvaluatedEvent {
  phase: "start" | "greedy" | "swap";
  /** Greedy step (1-based) or swap pass (1-based); 0 for the start. */
  step: number;
  set: readonly number[];
  objective: number | null;
  /** The best objective known so far in this step (of a set of the current size). */
  best: number | null;
  evaluations: number;
  /** Sets this run expects to evaluate in all (an estimate once swaps start accepting). */
  planned: number;
  /** True when the value came from the in-run memo (not counted again). */
  repeated: boolean;
}

export interface CandidateResult {
  candidate: number;
  /** null: the set did not fit the prefix budget. */
  objective: number | null;
}

export interface SelectionStep {
  phase: "start" | "greedy" | "swap";
  step: number;
  /** For a swap: the position replaced (0-based). */
  position?: number;
  added: number | null;
  removed: number | null;
  set: number[];
  objective: number;
  /** What every tried candidate scored in this step. */
  candidates: CandidateResult[];
}

export interface SelectionResult {
  set: number[];
  objective: number;
  steps: SelectionStep[];
  /** Distinct sets evaluated. */
  evaluations: number;
  /** Why the set has fewer than K exemplars, if it does. */
  shortBecause: "pool" | "budget" | null;
  /** True when `maxEvaluations` cut the search short of a full greedy + swap run. */
  budgetLimited: boolean;
}

/** The empty set did not fit: the system prompt alone exceeds the prefix budget. */
export class NothingFitsError extends Error {
  constructor() {
    super("the system prompt alone does not fit the prefix token budget");
    this.name = "NothingFitsError";
  }
}

/** Runs greedy forward selection, then the swap passes. */
export async function selectExemplars(options: SelectionOptions): Promise<SelectionResult> {
  const { poolSize, evaluate, random } = options;
  const k = Math.min(options.k, poolSize);
  const memo = new Map<string, number | null>();
  let evaluations = 0;
  let budgetLimited = false;
  const greedyCost = 1 + Array.from({ length: k }, (_, step) => poolSize - step).reduce((sum, value) => sum + value, 0);
  const swapCost = options.swapPasses > 0 ? k * (poolSize - k) : 0;
  const budget = options.maxEvaluations ?? Number.POSITIVE_INFINITY;
  let planned = Math.min(budget, greedyCost + swapCost);
  // Under a budget that greedy alone exceeds, each step tries this many candidates.
  const perStep = greedyCost > budget ? Math.max(1, Math.floor((budget - 1) / Math.max(1, k))) : Number.POSITIVE_INFINITY;
  if (greedyCost > budget) budgetLimited = true;

  const score = async (phase: EvaluatedEvent["phase"], step: number, set: readonly number[], best: number | null): Promise<number | null> => {
    const key = set.join(",");
    const known = memo.get(key);
    if (known !== undefined || memo.has(key)) {
      options.onEvaluated?.({ phase, step, set, objective: known ?? null, best, evaluations, planned, repeated: true });
      return known ?? null;
    }
    const value = await evaluate(set);
    evaluations += 1;
    memo.set(key, value);
    options.onEvaluated?.({ phase, step, set, objective: value, best: better(value, best) ? value : best, evaluations, planned, repeated: false });
    return value;
  };
  const spent = () => evaluations >= budget;

  const start = await score("start", 0, [], null);
  if (start === null) throw new NothingFitsError();
  let set: number[] = [];
  let objective = start;
  const steps: SelectionStep[] = [{ phase: "start", step: 0, added: null, removed: null, set: [], objective, candidates: [] }];
  let shortBecause: SelectionResult["shortBecause"] = k < options.k ? "pool" : null;

  for (let step = 1; step <= k; step += 1) {
    let outside = range(poolSize).filter((candidate) => !set.includes(candidate));
    if (outside.length > perStep) outside = sample(outside, perStep, random);
    const candidates: CandidateResult[] = [];
    let best: { candidate: number; objective: number } | null = null;
    for (const candidate of outside) {
      // The greedy set must reach K even under a budget: a step always tries one candidate.
      if (spent() && best !== null) {
        budgetLimited = true;
        break;
      }
      const value = await score("greedy", step, [...set, candidate], best?.objective ?? null);
      candidates.push({ candidate, objective: value });
      if (value !== null && (best === null || value < best.objective)) best = { candidate, objective: value };
    }
    if (best === null) {
      shortBecause = "budget";
      break;
    }
    set = [...set, best.candidate];
    objective = best.objective;
    steps.push({ phase: "greedy", step, added: best.candidate, removed: null, set: [...set], objective, candidates });
  }

  for (let pass = 1; pass <= options.swapPasses && set.length > 0; pass += 1) {
    let changed = false;
    for (let position = 0; position < set.length; position += 1) {
      if (spent()) {
        budgetLimited = true;
        break;
      }
      const outside = shuffle(
        range(poolSize).filter((candidate) => !set.includes(candidate)),
        random,
      );
      const candidates: CandidateResult[] = [];
      let best: { candidate: number; objective: number } | null = null;
      for (const candidate of outside) {
        if (spent()) {
          budgetLimited = true;
          break;
        }
        const trial = set.map((member, index) => (index === position ? candidate : member));
        const value = await score("swap", pass, trial, Math.min(objective, best?.objective ?? Number.POSITIVE_INFINITY));
        candidates.push({ candidate, objective: value });
        if (value !== null && value < objective && (best === null || value < best.objective || (value === best.objective && candidate < best.candidate))) {
          best = { candidate, objective: value };
        }
      }
      if (best === null) continue;
      const removed = set[position]!;
      set = set.map((member, index) => (index === position ? best.candidate : member));
      objective = best.objective;
      changed = true;
      candidates.sort((a, b) => a.candidate - b.candidate);
      steps.push({ phase: "swap", step: pass, position, added: best.candidate, removed, set: [...set], objective, candidates });
    }
    if (!changed) break;
    // Another pass may follow: plan for it.
    if (pass < options.swapPasses) planned = Math.min(budget, planned + swapCost);
  }
  return { set, objective, steps, evaluations, shortBecause, budgetLimited };
}

function better(value: number | null, best: number | null): boolean {
  return value !== null && (best === null || value < best);
}

function range(length: number): number[] {
  return Array.from({ length }, (_, index) => index);
}

/** Fisher–Yates with the seeded generator. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** `count` items of `items` chosen at random, kept in their original order. */
function sample(items: readonly number[], count: number, random: () => number): number[] {
  return shuffle(items, random)
    .slice(0, count)
    .sort((a, b) => a - b);
}
