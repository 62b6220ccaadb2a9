/**
 * @module engine/remote/admission-gate
 * How many requests a remote engine sends upstream at once: `--parallel` per
 * healthy replica (so losing a replica lowers it, and one that rejoins raises
 * it again), with a bounded FIFO queue in front; a full queue refuses at once
 * (`QueueFullError`, 429) and a waiter whose signal aborts leaves the line.
 */
import { QueueFullError } from "../engine.js";

interface Waiter {
  admit(): void;
}

export class AdmissionGate {
  readonly #capacity: () => number;
  readonly #maxQueue: number;
  readonly #waiters: Waiter[] = [];
  #admitted = 0;

  /** `capacity` is read at every decision (it changes with the replicas' health). */
  constructor(capacity: () => number, maxQueue: number) {
    this.#capacity = capacity;
    this.#maxQueue = maxQueue;
  }

  /** Requests admitted and not yet released. */
  get admitted(): number {
    return this.#admitted;
  }

  /** Requests waiting. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** Admits at once when there is room and nobody waits, else waits in line; resolves to the release function (idempotent). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#waiters.length === 0 && this.#admitted < this.#capacity()) return Promise.resolve(this.#admit());
    if (this.#waiters.length >= this.#maxQueue) return Promise.reject(new QueueFullError(this.#waiters.length));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      const waiter: Waiter = {
        admit: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#admit());
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Lets waiters in while there is room (call when the capacity may have grown). */
  wake(): void {
    while (this.#waiters.length > 0 && this.#admitted < this.#capacity()) this.#waiters.shift()!.admit();
  }

  #admit(): () => void {
    this.#admitted += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#admitted -= 1;
      this.wake();
    };
  }
}
