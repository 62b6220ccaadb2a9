/**
 * @module engine/sequence-pool
 * A fixed set of sequences with a bounded FIFO queue in front. A request gets
 * the free sequence that is cheapest to reuse (a long shared prefix, little
 * warm state thrown away), so each exemplar set's prefix stays warm on "its"
 * sequence.
 */
import { QueueFullError, type EngineSlot } from "./engine.js";

/** What the pool needs to know about a sequence. */
export interface PoolMember {
  /** The tokens the sequence's KV cache currently holds. */
  cachedTokens(): readonly number[];
}

interface Waiter<Member> {
  prompt: readonly number[];
  resolve(member: Member): void;
}

/** Number of leading tokens `a` and `b` have in common. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index += 1;
  return index;
}

export class SequencePool<Member extends PoolMember> {
  readonly #free: Member[];
  readonly #waiters: Waiter<Member>[] = [];
  readonly #size: number;
  readonly #maxQueue: number;

  constructor(members: readonly Member[], maxQueue: number) {
    if (members.length === 0) throw new Error("a sequence pool needs at least one sequence");
    this.#free = [...members];
    this.#size = members.length;
    this.#maxQueue = maxQueue;
  }

  /** Sequences in use right now. */
  get busy(): number {
    return this.#size - this.#free.length;
  }

  /** Requests waiting for a sequence. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** Takes the best free sequence, or waits in line for one. */
  acquire(prompt: readonly number[], signal?: AbortSignal): Promise<Member> {
    signal?.throwIfAborted();
    if (this.#free.length > 0 && this.#waiters.length === 0) return Promise.resolve(this.#take(prompt));
    if (this.#waiters.length >= this.#maxQueue) return Promise.reject(new QueueFullError(this.#waiters.length));
    return new Promise<Member>((resolve, reject) => {
      const waiter: Waiter<Member> = {
        prompt,
        resolve: (member) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(member);
        },
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives a sequence back; the longest-waiting request gets a sequence first. */
  release(member: Member): void {
    if (this.#free.includes(member)) return;
    this.#free.push(member);
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(this.#take(waiter.prompt));
  }

  /**
   * The free sequence that is cheapest to use for `prompt`: the fewest tokens
   * to evaluate plus cached tokens thrown away (`prompt + held - 2 × shared`).
   * So a sequence sharing a long prefix wins, but one sharing only a token or
   * two (every prompt shares BOS) is not taken, evicting its warm prefix,
   * while an emptier sequence is free. Among equals, the one holding the
   * fewest tokens.
   */
  #take(prompt: readonly number[]): Member {
    let bestIndex = 0;
    let bestCost = Infinity;
    let bestHeld = Infinity;
    this.#free.forEach((member, index) => {
      const cached = member.cachedTokens();
      const shared = commonPrefixLength(cached, prompt);
      const cost = prompt.length - shared + (cached.length - shared);
      if (cost < bestCost || (cost === bestCost && cached.length < bestHeld)) {
        bestCost = cost;
        bestHeld = cached.length;
        bestIndex = index;
      }
    });
    const [member] = this.#free.splice(bestIndex, 1);
    return member!;
  }
}

/**
 * Takes a member for one request and hands it out as an `EngineSlot` whose
 * `release` returns it to the pool exactly once (a second call is a no-op).
 */
export async function acquireSlot<Member extends PoolMember & Pick<EngineSlot, "generate">>(pool: SequencePool<Member>, prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot> {
  const member = await pool.acquire(prompt, signal);
  let released = false;
  return {
    generate: (tokens, options) => member.generate(tokens, options),
    release: () => {
      if (released) return;
      released = true;
      pool.release(member);
    },
  };
}
