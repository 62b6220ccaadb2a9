/**
 * @module answer/start-answer
 * The second half of the answer pipeline: prepare the output grammar, lease
 * a sequence for the plan's prompt (waiting in the engine's queue), and run
 * the choices on it. The sequence is released exactly once: when the events
 * end, fail or are abandoned, or by `release()` for a run never consumed.
 */
import type { ExperimentAssignment, ExperimentRegistry } from "../ab/online/experiment-registry.js";
import type { Engine, OutputConstraint } from "../engine/engine.js";
import type { RequestRecord } from "../telemetry/request-record.js";
import { observeChoices } from "./observe-choices.js";
import { runChoices, type ChoiceEvent, type ChoiceJob, type Usage } from "./run-choices.js";

export interface AnswerPlan {
  engine: Engine;
  jobs: readonly ChoiceJob[];
  constraint?: OutputConstraint | undefined;
  assignment?: ExperimentAssignment | undefined;
}

export interface StartAnswerOptions {
  /** Aborts waiting and generation (client gone, time limit, shutdown). */
  signal: AbortSignal;
  /** The request's record: gets the usage, the first token's time and each choice's ending. */
  record?: RequestRecord | undefined;
  /** The experiments that count this request's answer text (with `plan.assignment`). */
  experiments?: ExperimentRegistry | undefined;
}

export interface AnswerRun {
  /** The choices' events, in order; the sequence is released when they end or are abandoned. */
  events: AsyncGenerator<ChoiceEvent>;
  /** Token counts, filled in as the events are consumed. */
  usage: Usage;
  /** Releases the sequence now (idempotent); for a run whose events are never consumed. */
  release(): void;
}

export async function startAnswer(plan: AnswerPlan, options: StartAnswerOptions): Promise<AnswerRun> {
  const { engine, jobs } = plan;
  if (plan.constraint) await engine.prepareConstraint(plan.constraint);
  const slot = await engine.acquire(jobs[0]!.prompt, options.signal);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    slot.release();
  };
  const usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  if (options.record) options.record.usage = usage;
  const observed = observeChoices(options.record, runChoices(slot, jobs, usage, options.signal));
  const counted = plan.assignment && options.experiments ? options.experiments.observe(plan.assignment, observed) : observed;
  async function* releasing(): AsyncGenerator<ChoiceEvent> {
    try {
      yield* counted;
    } finally {
      release();
    }
  }
  return { events: releasing(), usage, release };
}
