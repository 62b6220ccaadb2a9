/**
 * @module engine/remote/upstream-replica
 * One upstream server of a remote engine: its HTTP clients, whether it is up
 * (and why not), what it is serving now, and its counts since start-up. The
 * fleet decides when it is up or down; this only holds the facts.
 */
import type { UpstreamReplicaStatus } from "../engine.js";
import type { RouteKind } from "./pick-replica.js";
import type { TokenCounter } from "./token-count.js";
import { UpstreamClient } from "./upstream-client.js";
import type { UpstreamUrl } from "./upstream-url.js";

export class UpstreamReplica {
  readonly url: UpstreamUrl;
  /** For requests (the engine's `--upstream-timeout`). */
  readonly client: UpstreamClient;
  /** For health checks (a short timeout: a silent replica is down). */
  readonly healthClient: UpstreamClient;
  /** Requests it serves now. */
  inFlight = 0;
  readonly #requests: Record<RouteKind, number> = { affinity: 0, spill: 0, overload: 0, unhealthy: 0 };
  #errors = 0;
  #failedOver = 0;
  #tookOver = 0;
  #promptTokens = 0;
  #cachedTokens = 0;
  #completionTokens = 0;
  #counter: TokenCounter | undefined;
  #reason: string | null = "not connected yet";

  constructor(url: UpstreamUrl, apiKey: string | undefined, timeoutMs: number, healthTimeoutMs: number) {
    this.url = url;
    this.client = new UpstreamClient({ url, apiKey, timeoutMs });
    this.healthClient = new UpstreamClient({ url, apiKey, timeoutMs: healthTimeoutMs });
  }

  get up(): boolean {
    return this.#reason === null;
  }

  /** Why it is down; null while up. */
  get reason(): string | null {
    return this.#reason;
  }

  /** True once it has been connected (model checked, tokenizer found) at least once. */
  get joined(): boolean {
    return this.#counter !== undefined;
  }

  /** How its prompts are counted (set when it joins). */
  get counter(): TokenCounter {
    if (this.#counter === undefined) throw new Error(`upstream ${this.url.v1} has not been connected`);
    return this.#counter;
  }

  /** Marks it up; `counter` when it (re)joined. Returns true when that is a change. */
  markUp(counter?: TokenCounter): boolean {
    if (counter !== undefined) this.#counter = counter;
    const changed = this.#reason !== null;
    this.#reason = null;
    return changed;
  }

  /** Marks it down for `reason`. Returns true when it was up. */
  markDown(reason: string): boolean {
    const changed = this.#reason === null;
    this.#reason = reason;
    return changed;
  }

  /** A request was sent here, chosen as `route`; `takeover`: after another replica failed it. */
  countRequest(route: RouteKind, takeover: boolean): void {
    this.#requests[route] += 1;
    if (takeover) this.#tookOver += 1;
  }

  /** A request failed here. */
  countError(): void {
    this.#errors += 1;
  }

  /** A request that failed here before its first token went on to another replica. */
  countFailedOver(): void {
    this.#failedOver += 1;
  }

  /** Adds the token counts of one generation's `usage`. */
  countUsage(promptTokens: number, cachedTokens: number, completionTokens: number): void {
    this.#promptTokens += promptTokens;
    this.#cachedTokens += cachedTokens;
    this.#completionTokens += completionTokens;
  }

  status(capacity: number): UpstreamReplicaStatus {
    return {
      url: this.url.v1,
      state: this.up ? "up" : "down",
      reason: this.#reason,
      inFlight: this.inFlight,
      capacity,
      requests: { ...this.#requests },
      errors: this.#errors,
      failedOver: this.#failedOver,
      tookOver: this.#tookOver,
      promptTokens: this.#promptTokens,
      cachedTokens: this.#cachedTokens,
      completionTokens: this.#completionTokens,
    };
  }
}
