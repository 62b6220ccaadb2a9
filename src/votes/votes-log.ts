/**
 * @module votes/votes-log
 * The playground's durable vote log: one JSON line per vote, appended and
 * flushed to disk (fdatasync) before the vote is acknowledged, read back from
 * the end of the file. Writes are serialized in this process; a line that is
 * not a vote (a torn write after a crash, an edit) is skipped and counted.
 */
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { VoteEntry } from "./vote-schema.js";

/** How much of the end of the file `read` looks at (older votes stay in the file). */
const readWindowBytes = 8 * 1024 * 1024;

export interface VotesRead {
  votes: VoteEntry[];
  /** Lines in the read window that were not votes. */
  skipped: number;
}

export class VotesLog {
  readonly path: string;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** Appends `entry` and resolves once it is on disk. */
  append(entry: VoteEntry): Promise<void> {
    const write = this.#writes.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const file = await open(this.path, "a");
      try {
        await file.write(`${JSON.stringify(entry)}\n`);
        await file.datasync();
      } finally {
        await file.close();
      }
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** The newest `limit` votes, oldest first (an absent file has none). */
  async read(limit: number): Promise<VotesRead> {
    await this.#writes;
    let text: string;
    try {
      const size = (await stat(this.path)).size;
      if (size <= readWindowBytes) text = await readFile(this.path, "utf8");
      else {
        const file = await open(this.path, "r");
        try {
          const buffer = Buffer.alloc(readWindowBytes);
          await file.read(buffer, 0, readWindowBytes, size - readWindowBytes);
          // The first line of the window is probably cut: drop it.
          text = buffer.toString("utf8").replace(/^[^\n]*\n/, "");
        } finally {
          await file.close();
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { votes: [], skipped: 0 };
      throw error;
    }
    const votes: VoteEntry[] = [];
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim().length === 0) continue;
      try {
        const value = JSON.parse(line) as Partial<VoteEntry>;
        if (value.object === "vote" && typeof value.id === "string" && (value.winner === "a" || value.winner === "b" || value.winner === "tie")) votes.push(value as VoteEntry);
        else skipped += 1;
      } catch {
        skipped += 1;
      }
    }
    return { votes: votes.slice(-limit), skipped };
  }
}
