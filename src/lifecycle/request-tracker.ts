/**
 * @module lifecycle/request-tracker
 * Knows every request in flight and gives each one an abort signal that fires
 * when its client leaves, when it runs past the wall-clock limit, or when a
 * shutdown runs out of patience. `drain()` is graceful shutdown: refuse new
 * requests, stop at once those that are only waiting (for their body, or in
 * the queue for a sequence: they have nothing to finish), let the running
 * ones finish up to a deadline, then abort the rest.
 */

import { untilAborted } from "./until-aborted.js";

/** One request's hold on the tracker. */
export interface RequestScope {
  /** Aborted (with the reason) on client disconnect, timeout or forced shutdown. */
  readonly signal: AbortSignal;
  /** Aborts this request now with `reason` (no-op once ended or aborted). */
  abort(reason: unknown): void;
  /** The request is done (its response's last byte sent); idempotent. */
  end(): void;
  /**
   * Marks the request as only waiting (reading its body, queued for a
   * sequence) until `promise` settles, and rejects with the abort reason as
   * soon as the request is aborted. A drain aborts waiting requests at once.
   */
  waitFor<T>(promise: Promise<T>, discard?: (late: T) => void): Promise<T>;
}

export interface BeginOptions {
  /** The client's own signal (aborted when it disconnects). */
  clientSignal?: AbortSignal;
  /** Wall-clock limit in ms; 0 or undefined: none. */
  timeoutMs?: number;
  /** The abort reason used when the limit passes. */
  timeoutReason?: () => unknown;
}

export interface DrainOptions {
  /** How long running requests may take to finish by themselves. */
  deadlineMs: number;
  /** The abort reason given to requests still running at the deadline. */
  abortReason: () => unknown;
  /** How long aborted requests get to wind down before `drain` resolves anyway. Defaults to 2000. */
  graceMs?: number;
}

export interface DrainResult {
  /** Requests that finished by themselves during the drain. */
  finished: number;
  /** Requests stopped at once because they were only waiting (for their body, or for a sequence). */
  stoppedWaiting: number;
  /** Requests aborted at the deadline. */
  aborted: number;
  /** Requests still not ended when the grace period was over. */
  remaining: number;
}

interface Tracked {
  controller: AbortController;
  /** How many `waitFor` calls are pending. */
  waiting: number;
  end(): void;
}

/** The requests in flight, each with its abort signal; drained on shutdown. */
export class RequestTracker {
  readonly #active = new Set<Tracked>();
  #draining = false;
  #abortWaiting: (() => unknown) | undefined;
  #waiters: (() => void)[] = [];

  /** Requests in flight. */
  get inFlight(): number {
    return this.#active.size;
  }

  /** True once `drain` has begun: new requests should be refused. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Registers a request. */
  begin(options: BeginOptions = {}): RequestScope {
    const controller = new AbortController();
    const { clientSignal } = options;
    const onClientAbort = () => controller.abort(clientSignal?.reason);
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const tracked: Tracked = {
      controller,
      waiting: 0,
      end: () => {
        if (ended) return;
        ended = true;
        if (timer !== undefined) clearTimeout(timer);
        clientSignal?.removeEventListener("abort", onClientAbort);
        this.#active.delete(tracked);
        if (this.#active.size === 0) this.#notifyIdle();
      },
    };
    this.#active.add(tracked);
    if (clientSignal?.aborted) onClientAbort();
    else clientSignal?.addEventListener("abort", onClientAbort, { once: true });
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      const reason = options.timeoutReason ?? (() => new Error(`the request took longer than ${options.timeoutMs} ms`));
      timer = setTimeout(() => controller.abort(reason()), options.timeoutMs);
      timer.unref();
    }
    return {
      signal: controller.signal,
      abort: (reason) => {
        if (!ended) controller.abort(reason);
      },
      end: tracked.end,
      waitFor: <T>(promise: Promise<T>, discard?: (late: T) => void): Promise<T> => {
        tracked.waiting += 1;
        if (this.#draining && this.#abortWaiting !== undefined) controller.abort(this.#abortWaiting());
        const settled = untilAborted(promise, controller.signal, discard);
        const done = () => {
          tracked.waiting -= 1;
        };
        settled.then(done, done);
        return settled;
      },
    };
  }

  /**
   * Graceful shutdown: from now on `draining` is true; waits until no request
   * is in flight or `deadlineMs` passed, aborts what is left, and waits up to
   * `graceMs` more for those to end.
   */
  async drain(options: DrainOptions): Promise<DrainResult> {
    this.#draining = true;
    this.#abortWaiting = options.abortReason;
    // Nothing to finish for a request still reading its body or queued for a sequence: answer it now.
    const waiting = [...this.#active].filter((tracked) => tracked.waiting > 0);
    for (const tracked of waiting) tracked.controller.abort(options.abortReason());
    const before = this.#active.size;
    await this.#idleWithin(options.deadlineMs);
    const left = [...this.#active].filter((tracked) => !waiting.includes(tracked));
    for (const tracked of left) tracked.controller.abort(options.abortReason());
    if (this.#active.size > 0) await this.#idleWithin(options.graceMs ?? 2000);
    return { finished: before - waiting.length - left.length, stoppedWaiting: waiting.length, aborted: left.length, remaining: this.#active.size };
  }

  #idleWithin(ms: number): Promise<void> {
    if (this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #notifyIdle(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}
