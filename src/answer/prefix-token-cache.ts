/**
 * @module answer/prefix-token-cache
 * Tokenizes each exemplar set's fixed prefix once per version (the cache key
 * is the model and the prefix text itself, so a hot-reloaded set or another
 * client system message is a new entry), and tells how many leading tokens of
 * a prompt are that prefix — what the engine may save and restore.
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Engine } from "../engine/engine.js";
import { commonPrefixLength } from "../engine/sequence-pool.js";

export class PrefixTokenCache {
  readonly #cache: LRUCache<string, number[]>;

  /** `max`: prefixes kept (sets × distinct client system messages). */
  constructor(max = 64) {
    this.#cache = new LRUCache({ max });
  }

  /** Leading tokens of `prompt` that belong to `prefixText` (tokenized as a whole prompt start). */
  reusablePrefix(engine: Engine, prefixText: string, prompt: readonly number[]): number {
    if (prefixText.length === 0) return 0;
    const key = createHash("sha256").update(engine.info.modelPath).update("\0").update(prefixText).digest("hex");
    let tokens = this.#cache.get(key);
    if (!tokens) {
      tokens = engine.tokenize(prefixText);
      this.#cache.set(key, tokens);
    }
    return commonPrefixLength(tokens, prompt);
  }
}
