/**
 * @module ab/offline/jsonl-cache
 * A resumable cache for `urial ab`: one JSON line `{"key", "value"}` per
 * finished unit of work, appended as soon as it is done, read back whole on
 * the next run. Owner: the run's output folder; key: a hash of everything
 * the value depends on; bound: the work of the suite; invalidation: a new
 * key (a changed set, model, seed, setting or judge prompt) — old lines are
 * simply never asked for. A torn last line (a crash mid-write) is skipped.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { dirname } from "node:path";

export class JsonlCache<Value> {
  readonly file: string;
  readonly #entries: Map<string, Value>;
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string, entries: Map<string, Value>) {
    this.file = file;
    this.#entries = entries;
  }

  /** Opens (creating the folder) and reads what is already there. */
  static async open<Value>(file: string): Promise<JsonlCache<Value>> {
    await mkdir(dirname(file), { recursive: true });
    const entries = new Map<string, Value>();
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) {
      if (line.trim().length === 0) continue;
      try {
        const entry = JSON.parse(line) as { key?: unknown; value?: Value };
        if (typeof entry.key === "string" && entry.value !== undefined) entries.set(entry.key, entry.value);
      } catch {
        // A line torn by a crash: its work is simply done again.
      }
    }
    return new JsonlCache(file, entries);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Value | undefined {
    return this.#entries.get(key);
  }

  /** Stores and appends; lines are written in call order. */
  set(key: string, value: Value): Promise<void> {
    this.#entries.set(key, value);
    const line = `${JSON.stringify({ key, value })}\n`;
    this.#writes = this.#writes.then(() => appendFile(this.file, line));
    return this.#writes;
  }

  /** Resolves when every line is on disk. */
  flush(): Promise<void> {
    return this.#writes;
  }
}

/** A cache key: sha256 of the parts' JSON (32 hex characters). */
export function cacheKey(...parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}
