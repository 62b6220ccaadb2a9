/**
 * @module ab/online/experiment-registry
 * The live experiments of a server: which model ids they take, which
 * variant a request gets, one outcome-log line per request and per vote,
 * and the per-variant statistics `GET /v1/experiments/:id` reports. Arms
 * are data from the experiments file; nothing here knows any variant by
 * name. Statistics can be rebuilt from the log after a restart.
 */
import { LRUCache } from "lru-cache";
import type { Catalog, ExemplarSet } from "../../catalog/catalog.js";
import { DomainError } from "../../errors/domain-error.js";
import type { RequestRecord } from "../../telemetry/request-record.js";
import { assignVariant, type AssignedBy, type StickyInputs } from "./assign-variant.js";
import type { ExperimentConfig, StickySource, VariantConfig } from "./experiment-schema.js";
import { VariantStats, type VariantStatsBody, type Votes } from "./experiment-stats.js";
import type { FeedbackRequest } from "./feedback-schema.js";
import { hashPrompt, toRequestOutcome, type FeedbackOutcome, type OutcomeEntry, type RequestOutcome } from "./outcome-entry.js";
import { hashVariant, resolveVariantSet } from "./variant-set.js";

/** The header that picks a variant by name, for QA. */
export const variantOverrideHeader = "x-urial-variant";

/** Where outcome lines go (an `OutcomeLog`, or an array in tests). */
export interface OutcomeSink {
  append(entry: OutcomeEntry): void;
}

export interface ExperimentRegistryOptions {
  experiments: readonly ExperimentConfig[];
  /** Receives one line per request and per vote. Defaults to none. */
  log?: OutcomeSink;
  /** Put each request's messages and answers in its log line. Defaults to false (privacy). */
  logText?: boolean;
  /** Random source for requests without a sticky key. Defaults to `Math.random`. */
  random?: () => number;
  /** Requests remembered for feedback (least recent forgotten first). Defaults to 100,000. */
  maxTracked?: number;
}

/** A request's place in an experiment, from assignment to its log line. */
export interface ExperimentAssignment {
  experiment: ExperimentConfig;
  variant: VariantConfig;
  by: AssignedBy;
  /** The set the variant renders (system prompt swapped in when it names one). */
  set: ExemplarSet;
  variantHash: string;
  promptHash: string;
  /** Answer characters per choice index, counted as the client gets them. */
  answerChars: number;
  /** Each choice's text; collected only when text logging is on. */
  output: string[] | undefined;
  messages: unknown;
}

interface TrackedRequest extends Votes {
  experiment: string;
  variant: string;
  variantHash: string;
}

/** What `GET /v1/experiments/:id` returns. */
export interface ExperimentStatsBody {
  object: "experiment";
  id: string;
  description: string | null;
  model: string;
  sticky: StickySource[];
  requests: number;
  /** When the first counted request arrived (ISO 8601), null before any. */
  since: string | null;
  variants: VariantStatsBody[];
}

/** A summary for `GET /v1/experiments`. */
export interface ExperimentListItem {
  id: string;
  object: "experiment";
  model: string;
  variants: { name: string; exemplars: string; system_prompt: string | null; weight: number }[];
  requests: number;
}

interface ExperimentState {
  config: ExperimentConfig;
  stats: Map<string, VariantStats>;
  /** The variant hash each variant had when its statistics were counted. */
  hashes: Map<string, string>;
  since: string | null;
}

/** Minimal shape of the route's choice events (see `answer/run-choices`). */
interface TextEvent {
  type: string;
  index: number;
  text?: string;
}

export class ExperimentRegistry {
  readonly #byModel = new Map<string, ExperimentState>();
  readonly #byId = new Map<string, ExperimentState>();
  readonly #log: OutcomeSink | undefined;
  readonly #logText: boolean;
  readonly #random: () => number;
  readonly #tracked: LRUCache<string, TrackedRequest>;
  readonly #assignments = new WeakMap<RequestRecord, ExperimentAssignment>();

  constructor(options: ExperimentRegistryOptions) {
    for (const config of options.experiments) {
      const state: ExperimentState = { config, stats: new Map(config.variants.map((variant) => [variant.name, new VariantStats()])), hashes: new Map(), since: null };
      this.#byModel.set(config.model, state);
      this.#byId.set(config.id, state);
    }
    this.#log = options.log;
    this.#logText = options.logText === true;
    this.#random = options.random ?? Math.random;
    this.#tracked = new LRUCache({ max: options.maxTracked ?? 100_000 });
  }

  /** The experiments, in file order. */
  get experiments(): ExperimentConfig[] {
    return [...this.#byId.values()].map((state) => state.config);
  }

  /** The model ids the experiments take. */
  modelIds(): string[] {
    return [...this.#byModel.keys()];
  }

  /** The experiment a chat request's `model` joins, if any. */
  find(model: string): ExperimentConfig | undefined {
    return this.#byModel.get(model)?.config;
  }

  /**
   * Assigns a variant: `x-urial-variant` when the request sends one (`invalid` for
   * an unknown name), else by the sticky key's hash. `broken` when the catalog
   * lost the variant's set since start-up.
   */
  assign(experiment: ExperimentConfig, catalog: Catalog, inputs: StickyInputs, messages: readonly { role: string; content?: unknown }[]): ExperimentAssignment {
    const override = inputs.header(variantOverrideHeader);
    let index: number;
    let by: AssignedBy;
    if (override !== undefined && override.length > 0) {
      index = experiment.variants.findIndex((variant) => variant.name === override);
      if (index < 0) {
        throw new DomainError({
          kind: "invalid",
          message: `The ${variantOverrideHeader} header names no variant of experiment '${experiment.id}'. Variants: ${experiment.variants.map((variant) => variant.name).join(", ")}.`,
          param: variantOverrideHeader,
          code: "variant_not_found",
        });
      }
      by = "override";
    } else ({ index, by } = assignVariant(experiment, inputs, this.#random));
    const variant = experiment.variants[index]!;
    const set = resolveVariantSet(catalog, variant);
    if (set === undefined) {
      throw new DomainError({
        kind: "broken",
        message: `Variant '${variant.name}' of experiment '${experiment.id}' uses exemplar set '${variant.exemplars}'${variant.systemPrompt ? ` with system prompt '${variant.systemPrompt}'` : ""}, which the catalog no longer has.`,
        code: "variant_unavailable",
      });
    }
    return {
      experiment,
      variant,
      by,
      set,
      variantHash: hashVariant(set, variant.sampling),
      promptHash: hashPrompt(messages),
      answerChars: 0,
      output: this.#logText ? [] : undefined,
      messages: this.#logText ? messages : undefined,
    };
  }

  /** Ties a request's record to its assignment, so its outcome is logged when it is done. */
  attach(record: RequestRecord, assignment: ExperimentAssignment): void {
    this.#assignments.set(record, assignment);
  }

  /** Passes a request's choice events through, counting (and with text logging, keeping) the answer text. */
  async *observe<Event extends TextEvent>(assignment: ExperimentAssignment | undefined, events: AsyncIterable<Event>): AsyncGenerator<Event> {
    for await (const event of events) {
      if (assignment !== undefined && event.type === "delta" && typeof event.text === "string") {
        assignment.answerChars += event.text.length;
        if (assignment.output !== undefined) assignment.output[event.index] = (assignment.output[event.index] ?? "") + event.text;
      }
      yield event;
    }
  }

  /** Called with every finished request's record; logs and counts those that ran in an experiment. */
  onRequestDone(record: RequestRecord): void {
    const assignment = this.#assignments.get(record);
    if (assignment === undefined) return;
    this.#assignments.delete(record);
    const outcome = toRequestOutcome(record, {
      experiment: assignment.experiment.id,
      variant: assignment.variant.name,
      variantHash: assignment.variantHash,
      assignedBy: assignment.by,
      exemplarSet: `${assignment.set.name}@${assignment.set.version}`,
      promptHash: assignment.promptHash,
      answerChars: assignment.answerChars,
      ...(assignment.output !== undefined ? { text: { messages: assignment.messages, output: assignment.output.map((text) => text ?? "") } } : {}),
    });
    this.#count(outcome);
    this.#log?.append(outcome);
  }

  /** Records a vote (`missing` for a request this server does not know or has forgotten); returns the logged line. */
  feedback(request: FeedbackRequest): FeedbackOutcome {
    const tracked = this.#tracked.get(request.request_id);
    if (tracked === undefined) {
      throw new DomainError({
        kind: "missing",
        message: `No experiment request with id '${request.request_id}' is known (only successful requests of an experiment take feedback, and only the latest ${this.#tracked.max} are remembered).`,
        param: "request_id",
        code: "request_not_found",
      });
    }
    const next: Votes = {
      rating: request.rating ?? tracked.rating,
      preferred: request.preferred ?? tracked.preferred,
    };
    const entry: FeedbackOutcome = {
      type: "feedback",
      time: new Date().toISOString(),
      request_id: request.request_id,
      experiment: tracked.experiment,
      variant: tracked.variant,
      variant_hash: tracked.variantHash,
      rating: request.rating ?? null,
      preferred: request.preferred ?? null,
    };
    this.#applyVotes(request.request_id, tracked, next);
    this.#log?.append(entry);
    return entry;
  }

  /** Per-variant statistics of experiment `id` (variant hashes as of `catalog`, when given); undefined for an unknown id. */
  stats(id: string, catalog?: Catalog): ExperimentStatsBody | undefined {
    const state = this.#byId.get(id);
    if (state === undefined) return undefined;
    const { config } = state;
    const hashNow = catalog === undefined ? () => undefined : this.currentHashes(catalog);
    const totalWeight = config.variants.reduce((sum, variant) => sum + variant.weight, 0);
    const requests = [...state.stats.values()].reduce((sum, stats) => sum + stats.requests, 0);
    return {
      object: "experiment",
      id: config.id,
      description: config.description ?? null,
      model: config.model,
      sticky: config.sticky,
      requests,
      since: state.since,
      variants: config.variants.map((variant) =>
        state.stats.get(variant.name)!.toBody(
          {
            name: variant.name,
            exemplarSet: variant.systemPrompt === undefined ? variant.exemplars : `${variant.exemplars}+${variant.systemPrompt}`,
            variantHash: hashNow(config.id, variant.name) ?? state.hashes.get(variant.name) ?? null,
            weight: variant.weight,
            expectedShare: totalWeight > 0 ? variant.weight / totalWeight : 0,
          },
          requests,
        ),
      ),
    };
  }

  /** A summary of every experiment. */
  list(): ExperimentListItem[] {
    return [...this.#byId.values()].map((state) => ({
      id: state.config.id,
      object: "experiment",
      model: state.config.model,
      variants: state.config.variants.map((variant) => ({ name: variant.name, exemplars: variant.exemplars, system_prompt: variant.systemPrompt ?? null, weight: variant.weight })),
      requests: [...state.stats.values()].reduce((sum, stats) => sum + stats.requests, 0),
    }));
  }

  /**
   * Rebuilds statistics from earlier log lines (oldest first). Lines of
   * experiments or variants that no longer exist, or whose variant changed
   * since (another variant hash, when `currentHashes` gives one), are skipped.
   */
  replay(entries: readonly unknown[], currentHashes: (experiment: string, variant: string) => string | undefined = () => undefined): { requests: number; feedback: number; skipped: number } {
    const counts = { requests: 0, feedback: 0, skipped: 0 };
    for (const entry of entries) {
      if (!isEntry(entry)) {
        counts.skipped += 1;
        continue;
      }
      const state = this.#byId.get(entry.experiment);
      const current = currentHashes(entry.experiment, entry.variant);
      if (state === undefined || !state.stats.has(entry.variant) || (current !== undefined && current !== entry.variant_hash)) {
        counts.skipped += 1;
        continue;
      }
      if (entry.type === "request") {
        this.#count(entry);
        counts.requests += 1;
      } else {
        const tracked = this.#tracked.get(entry.request_id);
        if (tracked === undefined) {
          counts.skipped += 1;
          continue;
        }
        this.#applyVotes(entry.request_id, tracked, { rating: entry.rating ?? tracked.rating, preferred: entry.preferred ?? tracked.preferred });
        counts.feedback += 1;
      }
    }
    return counts;
  }

  /** The variant hash each variant has with `catalog` now (for `replay`). */
  currentHashes(catalog: Catalog): (experiment: string, variant: string) => string | undefined {
    return (experimentId, variantName) => {
      const variant = this.#byId.get(experimentId)?.config.variants.find((each) => each.name === variantName);
      if (variant === undefined) return undefined;
      const set = resolveVariantSet(catalog, variant);
      return set === undefined ? undefined : hashVariant(set, variant.sampling);
    };
  }

  #count(outcome: RequestOutcome): void {
    const state = this.#byId.get(outcome.experiment);
    const stats = state?.stats.get(outcome.variant);
    if (state === undefined || stats === undefined) return;
    stats.addOutcome(outcome);
    state.hashes.set(outcome.variant, outcome.variant_hash);
    state.since ??= outcome.time;
    if (outcome.status < 400 && outcome.error === null) {
      this.#tracked.set(outcome.request_id, { experiment: outcome.experiment, variant: outcome.variant, variantHash: outcome.variant_hash, rating: null, preferred: null });
    }
  }

  #applyVotes(requestId: string, tracked: TrackedRequest, next: Votes): void {
    const stats = this.#byId.get(tracked.experiment)?.stats.get(tracked.variant);
    stats?.changeVotes(tracked, next);
    this.#tracked.set(requestId, { ...tracked, ...next });
  }
}

function isEntry(value: unknown): value is OutcomeEntry {
  if (value === null || typeof value !== "object") return false;
  const entry = value as Partial<OutcomeEntry>;
  return (entry.type === "request" || entry.type === "feedback") && typeof entry.experiment === "string" && typeof entry.variant === "string" && typeof entry.request_id === "string";
}
