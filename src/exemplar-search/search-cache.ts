/**
 * @module exemplar-search/search-cache
 * What a search remembers between runs, so that a stopped search resumes
 * where it was and a rerun with another K, seed or objective re-scores
 * nothing it has scored before: the chat model's answers, and each
 * (context, answer) pair's base ranks and KL. Backed by `urial ab`'s
 * append-only JSONL cache (torn lines skipped). Keys hash everything a value
 * depends on — model fingerprints, context size, the exact context and
 * answer tokens, generation settings — so a changed input is a new key.
 */
import { cacheKey, JsonlCache } from "../ab/offline/jsonl-cache.js";

export interface CachedAnswer {
  kind: "answer";
  tokens: number[];
  stopReason: "eos" | "stop" | "length";
}

export interface CachedScore {
  kind: "score";
  /** The base model's rank of each answer token. */
  ranks: number[];
  /** KL(chat ‖ base) at each position, 6 significant digits. */
  kl: number[];
}

type CacheValue = CachedAnswer | CachedScore;

export interface SearchCache {
  answer(key: string): CachedAnswer | undefined;
  score(key: string): CachedScore | undefined;
  store(key: string, value: CacheValue): Promise<void>;
  /** Entries read back from an earlier run. */
  readonly resumed: number;
  flush(): Promise<void>;
}

/** A cache in `file` (created if missing), or one in memory only when `file` is null. */
export async function openSearchCache(file: string | null): Promise<SearchCache> {
  const disk = file === null ? null : await JsonlCache.open<CacheValue>(file);
  const memory = new Map<string, CacheValue>();
  const read = (key: string) => memory.get(key) ?? disk?.get(key);
  return {
    resumed: disk?.size ?? 0,
    answer(key) {
      const value = read(key);
      return value?.kind === "answer" ? value : undefined;
    },
    score(key) {
      const value = read(key);
      return value?.kind === "score" ? value : undefined;
    },
    async store(key, value) {
      memory.set(key, value);
      await disk?.set(key, value);
    },
    flush: () => disk?.flush() ?? Promise.resolve(),
  };
}

/** A key over the parts' JSON; token arrays are hashed like any other part. */
export const searchCacheKey = cacheKey;
