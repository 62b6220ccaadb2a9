/**
 * The outcome log on disk: one JSON line per entry, rotation by size into
 * numbered files (oldest dropped), and reading everything back in order.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutcomeLog, readOutcomeLog } from "../../src/ab/online/outcome-log.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-outcomes-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { n: number });
/** Each entry serialises to exactly 10 bytes with its newline: {"n":100}. */
const entry = (n: number) => ({ n: 100 + n });

describe("OutcomeLog", () => {
  it("appends one JSON line per entry, creating the folder", () => {
    const path = join(dir, "nested", "outcomes.jsonl");
    const log = new OutcomeLog({ path, maxBytes: 1000, keep: 2 });
    log.append({ type: "request", a: 1 });
    log.append({ type: "feedback", b: "x\ny" });
    expect(readFileSync(path, "utf8")).toBe('{"type":"request","a":1}\n{"type":"feedback","b":"x\\ny"}\n');
    expect(log.size).toBe(Buffer.byteLength(readFileSync(path, "utf8")));
  });

  it("rotates before a line would pass maxBytes, keeping `keep` older files", () => {
    const path = join(dir, "outcomes.jsonl");
    const log = new OutcomeLog({ path, maxBytes: 30, keep: 2 });
    for (let n = 0; n < 10; n += 1) log.append(entry(n));
    // 3 lines of 10 bytes per file: 100–102, 103–105, 106–108 (dropped: the oldest), 109 current.
    expect(lines(path).map((line) => line.n)).toEqual([109]);
    expect(lines(`${path}.1`).map((line) => line.n)).toEqual([106, 107, 108]);
    expect(lines(`${path}.2`).map((line) => line.n)).toEqual([103, 104, 105]);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(readOutcomeLog(path, 2).entries.map((line) => (line as { n: number }).n)).toEqual([103, 104, 105, 106, 107, 108, 109]);
  });

  it("continues an existing file at its size, and with keep 0 starts it over", () => {
    const path = join(dir, "outcomes.jsonl");
    writeFileSync(path, `${JSON.stringify(entry(0))}\n${JSON.stringify(entry(1))}\n`);
    const log = new OutcomeLog({ path, maxBytes: 30, keep: 0 });
    expect(log.size).toBe(20);
    log.append(entry(2));
    log.append(entry(3));
    expect(lines(path).map((line) => line.n)).toEqual([103]);
    expect(existsSync(`${path}.1`)).toBe(false);
  });

  it("writes a line larger than maxBytes into a file of its own", () => {
    const path = join(dir, "outcomes.jsonl");
    const log = new OutcomeLog({ path, maxBytes: 15, keep: 1 });
    log.append(entry(0));
    log.append({ long: "x".repeat(40) });
    expect(lines(`${path}.1`)).toEqual([entry(0)]);
    expect(readFileSync(path, "utf8")).toBe(`{"long":"${"x".repeat(40)}"}\n`);
  });

  it("reports a failing write once per streak, never throwing", () => {
    const path = join(dir, "outcomes.jsonl");
    const errors: Error[] = [];
    const log = new OutcomeLog({ path, maxBytes: 1000, keep: 1, onError: (error) => errors.push(error) });
    // A folder where the file should be makes every append fail.
    rmAndMakeFolder(path);
    expect(() => log.append(entry(0))).not.toThrow();
    log.append(entry(1));
    expect(errors).toHaveLength(1);
  });

  it("reads back unreadable lines as a count", () => {
    const path = join(dir, "outcomes.jsonl");
    writeFileSync(path, '{"n":1}\nnot json\n\n{"n":2}\n{"n":');
    expect(readOutcomeLog(path, 3)).toEqual({ entries: [{ n: 1 }, { n: 2 }], unreadable: 2 });
    expect(readOutcomeLog(join(dir, "absent.jsonl"), 3)).toEqual({ entries: [], unreadable: 0 });
  });
});

function rmAndMakeFolder(path: string): void {
  rmSync(path, { force: true });
  mkdirSync(path);
}
