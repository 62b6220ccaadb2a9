/**
 * @module engine/prefix-sharing
 * One prefix evaluation per exemplar set per process. When a sequence needs
 * a set's prefix that another sequence of the same context already holds, it
 * copies those KV cells (copy-sequence-prefix) instead of evaluating them;
 * when another sequence is producing that prefix right now, it waits for it
 * and then copies. So N requests of one set arriving at once on a cold
 * engine evaluate the prefix once, not N times.
 *
 * Owns: which prefixes are being produced (by key) and the search for a
 * holder. The copy itself and its checks live in copy-sequence-prefix.
 */
import { createHash } from "node:crypto";
import type { LlamaContextSequence } from "node-llama-cpp";
import { copySequencePrefix } from "./copy-sequence-prefix.js";

/** How a sequence got a prefix from `obtain`. */
export type PrefixGrant =
  /** Copied from another sequence: the target holds exactly the prefix. */
  | { kind: "copied" }
  /** No one holds it: the caller produces it (restore or evaluate), then calls `done` (always, also on failure). */
  | { kind: "produce"; done: () => void };

type CopyPrefix = (target: LlamaContextSequence, source: LlamaContextSequence, prefix: readonly number[]) => Promise<boolean>;

export class PrefixSharing {
  readonly #sequences: readonly LlamaContextSequence[];
  readonly #copy: CopyPrefix;
  readonly #producing = new Map<string, Promise<void>>();

  /** `sequences`: every sequence of one context (a copy never crosses contexts). */
  constructor(sequences: readonly LlamaContextSequence[], copy: CopyPrefix = copySequencePrefix) {
    this.#sequences = sequences;
    this.#copy = copy;
  }

  /** Prefixes being produced right now (for tests and status). */
  get producing(): number {
    return this.#producing.size;
  }

  /**
   * Gets `prefix` into `target`: copied from a holder, after waiting for a
   * sequence that is producing it, or handed back to the caller to produce.
   * Rejects with the signal's reason if aborted while waiting.
   */
  async obtain(target: LlamaContextSequence, prefix: readonly number[], signal?: AbortSignal): Promise<PrefixGrant> {
    const key = prefixKey(prefix);
    for (;;) {
      signal?.throwIfAborted();
      const holder = this.#holderOf(target, prefix);
      if (holder) {
        if (await this.#copy(target, holder, prefix)) return { kind: "copied" };
        // A holder that cannot be copied (it changed under us, or the copy is unsupported): produce it here.
        return { kind: "produce", done: () => undefined };
      }
      const pending = this.#producing.get(key);
      if (!pending) break;
      await waitOrAbort(pending, signal);
    }
    let finish!: () => void;
    const produced = new Promise<void>((resolve) => (finish = resolve));
    this.#producing.set(key, produced);
    let finished = false;
    return {
      kind: "produce",
      done: () => {
        if (finished) return;
        finished = true;
        if (this.#producing.get(key) === produced) this.#producing.delete(key);
        finish();
      },
    };
  }

  #holderOf(target: LlamaContextSequence, prefix: readonly number[]): LlamaContextSequence | undefined {
    for (const sequence of this.#sequences) {
      if (sequence === target || sequence.disposed || sequence.nextTokenIndex < prefix.length) continue;
      if (sequence.compareContextTokens(prefix as never).firstDifferentIndex >= prefix.length) return sequence;
    }
    return undefined;
  }
}

function prefixKey(prefix: readonly number[]): string {
  return createHash("sha256").update(Uint32Array.from(prefix)).digest("hex");
}

function waitOrAbort(pending: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return pending;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
