/**
 * @module ab/online/outcome-log
 * The experiments' outcome log: JSON lines appended to one file, rotated by
 * size (`outcomes.jsonl` → `outcomes.jsonl.1` → … → `.keep`, the oldest
 * dropped). Writes are synchronous and small, so lines never interleave and
 * a crash loses at most the line being written. A failing disk is reported
 * once per failure streak and never breaks a request.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";

export interface OutcomeLogOptions {
  /** The current file. */
  path: string;
  /** Rotate before a line would make the file larger than this. */
  maxBytes: number;
  /** Rotated files kept besides the current one (0: the current file is simply started over). */
  keep: number;
  /** Told about write failures. */
  onError?: (error: Error) => void;
}

/** Appends JSON lines with size rotation. */
export class OutcomeLog {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #onError: ((error: Error) => void) | undefined;
  #size: number;
  #failing = false;

  constructor(options: OutcomeLogOptions) {
    this.path = options.path;
    this.#maxBytes = options.maxBytes;
    this.#keep = options.keep;
    this.#onError = options.onError;
    mkdirSync(dirname(options.path), { recursive: true });
    this.#size = existsSync(options.path) ? statSync(options.path).size : 0;
  }

  /** The current file's size in bytes. */
  get size(): number {
    return this.#size;
  }

  /** Appends one entry as a line. */
  append(entry: unknown): void {
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
      appendFileSync(this.path, line);
      this.#size += bytes;
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#onError?.(error instanceof Error ? error : new Error(String(error)));
      this.#failing = true;
    }
  }

  #rotate(): void {
    if (this.#keep === 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.#keep}`, { force: true });
      for (let index = this.#keep - 1; index >= 1; index -= 1) {
        if (existsSync(`${this.path}.${index}`)) renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.#size = 0;
  }
}

/** Every entry of the log and its rotated files, oldest first; unreadable lines are counted, not thrown. */
export function readOutcomeLog(path: string, keep: number): { entries: unknown[]; unreadable: number } {
  const entries: unknown[] = [];
  let unreadable = 0;
  const files = [...Array.from({ length: keep }, (_, index) => `${path}.${keep - index}`), path];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim().length === 0) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        unreadable += 1;
      }
    }
  }
  return { entries, unreadable };
}
