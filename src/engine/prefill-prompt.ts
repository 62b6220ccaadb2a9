/**
 * @module engine/prefill-prompt
 * Brings a sequence to "holds every prompt token but the last": keeps the
 * cached prefix it shares with the prompt, restores a saved state of the
 * set's prefix from disk when that covers more, evaluates the rest in chunks
 * (checking the abort signal between them, since llama.cpp cannot stop a
 * batch), and saves the prefix's state the first time it is evaluated.
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { PrefixStateStore } from "./prefix-state-store.js";
import { reuseCachedPrefix } from "./reuse-cached-prefix.js";

/** Prefixes shorter than this are cheaper to evaluate than to save and load. */
export const leastSavedPrefix = 32;

export interface PrefillOptions {
  /** Tokens evaluated between abort checks. */
  chunk: number;
  signal?: AbortSignal;
  /** How many leading prompt tokens are the exemplar set's fixed prefix (0: none). */
  reusablePrefix: number;
  store?: PrefixStateStore;
}

export interface PrefillResult {
  /** Prompt tokens that were not evaluated now (kept in the KV cache or restored from disk). */
  cachedTokens: number;
  /** Of those, how many came from a saved state file. */
  restoredTokens: number;
}

export async function prefillPrompt(sequence: LlamaContextSequence, prompt: readonly number[], options: PrefillOptions): Promise<PrefillResult> {
  const last = prompt.length - 1;
  let kept = await reuseCachedPrefix(sequence, prompt, last);
  let restoredTokens = 0;
  const prefix = Math.min(options.reusablePrefix, last);
  const store = prefix >= leastSavedPrefix ? options.store : undefined;
  const prefixTokens = prompt.slice(0, prefix);
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
  await evaluateRange(sequence, prompt, kept, saveAt ?? last, options);
  if (store && key && saveAt !== undefined) {
    await store.save(key, prefixTokens, (path) => sequence.saveStateToFile(path));
    await evaluateRange(sequence, prompt, saveAt, last, options);
  }
  options.signal?.throwIfAborted();
  return { cachedTokens: kept, restoredTokens };
}

async function evaluateRange(sequence: LlamaContextSequence, prompt: readonly number[], from: number, to: number, options: PrefillOptions): Promise<void> {
  for (let start = from; start < to; start += options.chunk) {
    options.signal?.throwIfAborted();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(start, Math.min(start + options.chunk, to)) as Token[]);
  }
}
