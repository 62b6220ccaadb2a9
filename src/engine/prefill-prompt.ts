/**
 * @module engine/prefill-prompt
 * Brings a sequence to "holds every prompt token but the last": keeps the
 * cached prefix it shares with the prompt; when the set's prefix is missing,
 * copies it from another sequence that holds it (or waits for the one
 * producing it, see prefix-sharing), else restores a saved state of it from
 * disk, else evaluates it; evaluates the rest in chunks (checking the abort
 * signal between them, since llama.cpp cannot stop a batch; sized by prefill-chunks), and saves the
 * prefix's state the first time it is evaluated. Evaluation runs with the
 * batch thread count (thread-phases).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { PrefillChunks } from "./prefill-chunks.js";
import type { PrefixSharing } from "./prefix-sharing.js";
import type { PrefixStateStore } from "./prefix-state-store.js";
import { reuseCachedPrefix } from "./reuse-cached-prefix.js";
import type { ThreadPhases } from "./thread-phases.js";

/** Prefixes shorter than this are cheaper to evaluate than to save and load. */
export const leastSavedPrefix = 32;

export interface PrefillOptions {
  /** Tokens evaluated between abort checks (see prefill-chunks): asked before each chunk, told how long it took. */
  chunks: Pick<PrefillChunks, "size" | "record">;
  signal?: AbortSignal;
  /** How many leading prompt tokens are the exemplar set's fixed prefix (0: none). */
  reusablePrefix: number;
  store?: PrefixStateStore;
  /** Copies the prefix from another sequence that holds it. */
  sharing?: PrefixSharing;
  /** Switches to the batch thread count while evaluating. */
  threads?: ThreadPhases;
}

export interface PrefillResult {
  /** Prompt tokens that were not evaluated now (kept in the KV cache or restored from disk). */
  cachedTokens: number;
  /** Of those, how many came from a saved state file. */
  restoredTokens: number;
  /** Of those, how many were copied from another sequence. */
  copiedTokens: number;
}

export async function prefillPrompt(sequence: LlamaContextSequence, prompt: readonly number[], options: PrefillOptions): Promise<PrefillResult> {
  const last = prompt.length - 1;
  let kept = await reuseCachedPrefix(sequence, prompt, last);
  const prefix = Math.min(options.reusablePrefix, last);
  const prefixTokens = prompt.slice(0, prefix);
  const grant = options.sharing && prefix >= leastSavedPrefix && kept < prefix ? await options.sharing.obtain(sequence, prefixTokens, options.signal) : undefined;
  if (grant?.kind === "copied") {
    await evaluateRange(sequence, prompt, prefix, last, options);
    options.signal?.throwIfAborted();
    return { cachedTokens: prefix, restoredTokens: 0, copiedTokens: prefix };
  }
  try {
    // A failed copy empties the sequence: count again what it still holds.
    if (grant) kept = await reuseCachedPrefix(sequence, prompt, last);
    const produced = await producePrefix(sequence, prompt, kept, prefix, prefixTokens, options);
    grant?.done();
    await evaluateRange(sequence, prompt, produced.evaluatedTo, last, options);
    options.signal?.throwIfAborted();
    return { cachedTokens: produced.kept, restoredTokens: produced.restoredTokens, copiedTokens: 0 };
  } finally {
    grant?.done();
  }
}

/** Brings the sequence to hold at least the prefix (restored or evaluated, saved when new). */
async function producePrefix(sequence: LlamaContextSequence, prompt: readonly number[], kept: number, prefix: number, prefixTokens: readonly number[], options: PrefillOptions) {
  let restoredTokens = 0;
  const store = prefix >= leastSavedPrefix ? options.store : undefined;
  const key = store?.keyFor(prefixTokens);

  if (store && key && kept < prefix && store.has(key)) {
    const restored = await store.restore(
      key,
      prefixTokens,
      (path) => sequence.loadStateFromFile(path, { acceptRisk: true }),
      () => sequence.nextTokenIndex === prefix && sequence.compareContextTokens(prefixTokens as Token[]).firstDifferentIndex === prefix,
    );
    if (restored) {
      kept = prefix;
      restoredTokens = prefix;
    } else {
      // A failed load leaves the sequence in an unknown state: start it over.
      await sequence.clearHistory();
      kept = 0;
    }
  }

  const saveAt = store && key && kept < prefix && store.shouldSave(key) ? prefix : undefined;
  const evaluatedTo = Math.max(kept, prefix);
  await evaluateRange(sequence, prompt, kept, evaluatedTo, options);
  if (store && key && saveAt !== undefined) await store.save(key, prefixTokens, (path) => sequence.saveStateToFile(path));
  return { kept, restoredTokens, evaluatedTo };
}

async function evaluateRange(sequence: LlamaContextSequence, prompt: readonly number[], from: number, to: number, options: PrefillOptions): Promise<void> {
  if (from >= to) return;
  const endPrefill = options.threads?.beginPrefill();
  try {
    for (let start = from; start < to;) {
      options.signal?.throwIfAborted();
      const end = Math.min(start + options.chunks.size(), to);
      const started = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(start, end) as Token[]);
      options.chunks.record(end - start, performance.now() - started);
      start = end;
    }
  } finally {
    endPrefill?.();
  }
}
