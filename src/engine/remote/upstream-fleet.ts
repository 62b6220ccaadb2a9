/**
 * @module engine/remote/upstream-fleet
 * The upstream replicas of a remote engine and their health. At start-up
 * every replica is probed (model, context size, tokenizer); at least one must
 * answer, the others join when they do. A health check every interval asks
 * each replica's `/health` (else `/v1/models`): a replica that fails it, or a
 * request that cannot reach it, is down at once; a down replica is probed
 * again in full (same model, enough context) before it takes traffic again.
 * Requests are routed by `pickReplica` over the replicas' current load.
 */
import { UpstreamError, type UpstreamReplicaStatus } from "../engine.js";
import { upstreamErrorMessage } from "./completion-chunk.js";
import { pickReplica, type RouteKind } from "./pick-replica.js";
import { probeUpstream } from "./probe-upstream.js";
import { probeTokenCounter, type TokenCounter, type TokenizerMode } from "./token-count.js";
import { UpstreamReplica } from "./upstream-replica.js";
import type { UpstreamUrl } from "./upstream-url.js";

export interface UpstreamFleetOptions {
  urls: readonly UpstreamUrl[];
  apiKey?: string;
  /** The request timeout (answer, and between chunks), in ms. */
  timeoutMs: number;
  /** The model to ask for; undefined: what the first replica that answers serves (`base` first). */
  model?: string;
  /** Tokens per request; undefined: the smallest any replica reports, else `fallbackContextSize`. */
  contextSize?: number;
  tokenizer: TokenizerMode;
  /** Requests each replica serves at once. */
  parallel: number;
  /** Time between health checks, in ms (0: none). */
  healthIntervalMs: number;
  onNotice?: (message: string) => void;
}

/** Context size assumed when no replica tells. */
export const fallbackContextSize = 4096;

/** What a replica told when it joined. */
interface JoinFacts {
  model: string;
  contextSize?: number;
  counter: TokenCounter;
}

/** A replica chosen for one attempt. */
export interface RoutedReplica {
  replica: UpstreamReplica;
  index: number;
  route: RouteKind;
}

export class UpstreamFleet {
  readonly replicas: readonly UpstreamReplica[];
  readonly model: string;
  readonly contextSize: number;
  /** Whether the context size was reported by a replica (else the fallback or the option). */
  readonly contextReported: boolean;
  readonly #options: UpstreamFleetOptions;
  readonly #checking = new Set<UpstreamReplica>();
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;
  /** Called when replicas go up or down (the engine's capacity changes). */
  onChange: () => void = () => undefined;

  private constructor(options: UpstreamFleetOptions, replicas: UpstreamReplica[], model: string, contextSize: number, contextReported: boolean) {
    this.#options = options;
    this.replicas = replicas;
    this.model = model;
    this.contextSize = contextSize;
    this.contextReported = contextReported;
  }

  /** Probes every replica; throws `UpstreamError` when none answers as a completions server of the model. */
  static async connect(options: UpstreamFleetOptions): Promise<UpstreamFleet> {
    // A replica that cannot say it is healthy within 5 s is not (a busy llama-server still answers /health at once).
    const healthTimeoutMs = Math.min(options.timeoutMs, 5000);
    const replicas = options.urls.map((url) => new UpstreamReplica(url, options.apiKey, options.timeoutMs, healthTimeoutMs));
    const joins = await Promise.allSettled(replicas.map((replica) => join(replica, options.model, options.tokenizer)));
    const firstIndex = joins.findIndex((result) => result.status === "fulfilled");
    if (firstIndex < 0) throw noneAnswered(replicas, joins as PromiseRejectedResult[]);
    const model = (joins[firstIndex] as PromiseFulfilledResult<JoinFacts>).value.model;
    // Replicas that picked another model by themselves are asked for this one.
    const facts = await Promise.all(
      joins.map(async (result, index): Promise<JoinFacts | string> => {
        if (result.status === "rejected") return messageOf(result.reason);
        if (result.value.model === model) return result.value;
        return join(replicas[index]!, model, options.tokenizer).catch((error: unknown) => messageOf(error));
      }),
    );
    const reported = facts.flatMap((fact) => (typeof fact === "string" || fact.contextSize === undefined ? [] : [fact.contextSize]));
    const contextSize = options.contextSize ?? (reported.length > 0 ? Math.min(...reported) : fallbackContextSize);
    const fleet = new UpstreamFleet(options, replicas, model, contextSize, options.contextSize === undefined && reported.length > 0);
    facts.forEach((fact, index) => {
      const replica = replicas[index]!;
      const problem = typeof fact === "string" ? fact : fleet.#mismatch(fact);
      if (problem === undefined) replica.markUp((fact as JoinFacts).counter);
      else replica.markDown(problem);
    });
    if (!replicas.some((replica) => replica.up))
      throw noneAnswered(
        replicas,
        replicas.map((replica) => ({ status: "rejected", reason: new UpstreamError("protocol", replica.reason ?? "") })),
      );
    if (options.healthIntervalMs > 0) {
      fleet.#timer = setInterval(() => fleet.checkAll(), options.healthIntervalMs);
      fleet.#timer.unref();
    }
    return fleet;
  }

  /** Replicas up now. */
  get upCount(): number {
    return this.replicas.filter((replica) => replica.up).length;
  }

  /** The replica for a request with routing key `key`, skipping `tried`; undefined when every replica was tried. */
  pick(key: string, tried: ReadonlySet<number>): RoutedReplica | undefined {
    const loads = this.replicas.map((replica) => ({ id: replica.url.v1, healthy: replica.up && replica.joined, inFlight: replica.inFlight, capacity: this.#options.parallel }));
    const choice = pickReplica(key, loads, tried);
    if (choice === undefined) return undefined;
    // A replica never connected cannot count tokens: it waits for its health check.
    const replica = this.replicas[choice.index]!;
    if (!replica.joined) return this.pick(key, new Set([...tried, choice.index]));
    return { replica, index: choice.index, route: choice.route };
  }

  /**
   * A request could not reach `replica`: check its health now (a dead one is
   * down within milliseconds; a kept-alive connection the server had closed
   * is no reason to be). Nothing with health checks off.
   */
  reportUnreachable(replica: UpstreamReplica): void {
    if (this.#options.healthIntervalMs > 0) void this.#check(replica);
  }

  /** Why nothing can be served (every replica down), else undefined. */
  unavailableReason(): string | undefined {
    if (this.upCount > 0) return undefined;
    const reasons = this.replicas.map((replica) => `${replica.url.v1}: ${replica.reason}`);
    return `${this.replicas.length === 1 ? "the upstream is" : `all ${this.replicas.length} upstreams are`} down (${reasons.join("; ")})`;
  }

  status(): UpstreamReplicaStatus[] {
    return this.replicas.map((replica) => replica.status(this.#options.parallel));
  }

  /** Runs one health check of every replica (what the timer does); resolves when all are done. */
  async checkAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.#check(replica)));
  }

  dispose(): void {
    this.#disposed = true;
    clearInterval(this.#timer);
  }

  async #check(replica: UpstreamReplica): Promise<void> {
    if (this.#checking.has(replica) || this.#disposed) return;
    this.#checking.add(replica);
    try {
      const outcome = replica.up ? await healthProblem(replica) : await this.#rejoin(replica);
      if (this.#disposed) return;
      const changed = typeof outcome === "string" ? replica.markDown(outcome) : replica.markUp(outcome);
      if (changed) this.#changed(replica);
    } finally {
      this.#checking.delete(replica);
    }
  }

  /** Probes a down replica in full: its new token counter when it may take traffic again, else why not. */
  async #rejoin(replica: UpstreamReplica): Promise<string | TokenCounter> {
    const problem = await healthProblem(replica);
    if (problem !== undefined) return problem;
    try {
      const facts = await join(replica, this.model, this.#options.tokenizer, true);
      return this.#mismatch(facts) ?? facts.counter;
    } catch (error) {
      return messageOf(error);
    }
  }

  /** Why a replica that answered cannot serve this fleet's requests, else undefined. */
  #mismatch(facts: JoinFacts): string | undefined {
    if (facts.model !== this.model) return `serves model '${facts.model}', not '${this.model}'`;
    if (facts.contextSize !== undefined && facts.contextSize < this.contextSize) return `its context (${facts.contextSize} tokens) is smaller than the ${this.contextSize} requests may use`;
    return undefined;
  }

  #changed(replica: UpstreamReplica): void {
    this.#options.onNotice?.(
      replica.up
        ? `upstream ${replica.url.v1} is up again (${this.upCount} of ${this.replicas.length} up)`
        : `upstream ${replica.url.v1} is down: ${replica.reason} (${this.upCount} of ${this.replicas.length} up)`,
    );
    this.onChange();
  }
}

/** Model, context size and tokenizer of one replica (`strict`: the model must be listed as `model`). */
async function join(replica: UpstreamReplica, model: string | undefined, tokenizer: TokenizerMode, strict = false): Promise<JoinFacts> {
  const found = await probeUpstream(replica.client, model);
  if (strict && model !== undefined && found.model !== model) throw new UpstreamError("protocol", `serves model '${found.model}', not '${model}'`);
  const counter = await probeTokenCounter(replica.client, found.model, tokenizer);
  return { model: found.model, ...(found.contextSize !== undefined ? { contextSize: found.contextSize } : {}), counter };
}

/**
 * Why a replica fails its health check (`/health`, else `/v1/models` when it
 * has none), else undefined. A check that gets no answer is made once more at
 * once: a kept-alive connection the server closed meanwhile fails the first
 * one, and is no sign of a dead server.
 */
async function healthProblem(replica: UpstreamReplica, attempts = 2): Promise<string | undefined> {
  try {
    let answer = await replica.healthClient.probe("/health");
    if (answer.status === 404 || answer.status === 405) answer = await replica.healthClient.probe("/v1/models");
    if (answer.status >= 200 && answer.status < 300) return undefined;
    return `its health check answered ${answer.status}: ${upstreamErrorMessage(answer.body)}`;
  } catch (error) {
    return attempts > 1 ? healthProblem(replica, attempts - 1) : `unreachable: ${messageOf(error)}`;
  }
}

function noneAnswered(replicas: readonly UpstreamReplica[], failures: readonly { reason: unknown }[]): UpstreamError {
  if (replicas.length === 1) {
    const reason = failures[0]!.reason;
    return reason instanceof UpstreamError ? reason : new UpstreamError("unavailable", messageOf(reason));
  }
  const first = failures.find((failure) => failure.reason instanceof UpstreamError)?.reason as UpstreamError | undefined;
  const list = failures.map((failure, index) => `${replicas[index]!.url.v1}: ${messageOf(failure.reason)}`).join("; ");
  return new UpstreamError(first?.failure ?? "unavailable", `no upstream can serve (${list})`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
