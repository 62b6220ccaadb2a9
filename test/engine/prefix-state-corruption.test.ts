/**
 * Cache corruption on the real engine: a saved prefix state that was cut
 * short, damaged, stripped of its record, or that sits in a folder that cannot
 * be written must cost one log line and one cold prefill — never a crash
 * (llama.cpp aborts the whole process on a short state file), never a changed
 * answer, never a thrown error. Each case restarts the engine on the same
 * folder, as a restarted server would.
 */
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine, GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

/** Which file-system calls fail with EROFS (as on a read-only mount); empty: none. */
const readOnly = vi.hoisted(() => ({ calls: new Set<string>() }));
vi.mock("node:fs/promises", async (original) => {
  const real = await original<typeof import("node:fs/promises")>();
  const failing = <T extends (...args: never[]) => unknown>(name: string, call: T): T =>
    ((...args: never[]) => {
      if (readOnly.calls.has(name)) return Promise.reject(Object.assign(new Error(`EROFS: read-only file system, ${name}`), { code: "EROFS" }));
      return call(...args);
    }) as T;
  return { ...real, writeFile: failing("writeFile", real.writeFile), rm: failing("rm", real.rm), rename: failing("rename", real.rename) };
});

const exemplars = [
  { query: "Tell me about a cat.", answer: "Sure! Once upon a time, there was a cat named Tom. Tom liked to play. The end." },
  { query: "Tell me about a dog.", answer: "Sure! Once upon a time, there was a dog named Max. He liked to run. The end." },
];
const system = "A kind helper answers with a short story.";
const query = "Tell me about a frog.";

interface Outcome {
  text: string;
  restored: number;
}

interface Started {
  engine: Engine;
  notices: string[];
}

const engines: Engine[] = [];
afterEach(async () => {
  readOnly.calls.clear();
  for (const engine of engines.splice(0)) await engine.dispose();
});

async function start(dir: string | undefined): Promise<Started> {
  const notices: string[] = [];
  const engine = await startLlamaEngine({
    modelPath: testModelPath,
    ...testEngineSettings,
    parallel: 1,
    maxQueue: 4,
    prefixStates: dir === undefined ? undefined : { dir, maxBytes: 64 * 1024 * 1024 },
    onNotice: (message) => notices.push(message),
  });
  engines.push(engine);
  return { engine, notices };
}

async function answer(engine: Engine): Promise<Outcome> {
  const rendered = renderUrialPrompt({ system, exemplars, history: [], query });
  const prompt = engine.tokenize(rendered.text);
  const prefixTokens = engine.tokenize(rendered.text.slice(0, rendered.prefixLength));
  let reusablePrefix = 0;
  while (reusablePrefix < prefixTokens.length && prefixTokens[reusablePrefix] === prompt[reusablePrefix]) reusablePrefix += 1;
  const slot = await engine.acquire(prompt);
  const outcome: Outcome = { text: "", restored: 0 };
  try {
    for await (const event of slot.generate(prompt, { maxTokens: 24, sampling: greedy, reusablePrefix }) as AsyncIterable<GenerationEvent>) {
      if (event.type === "prefilled") outcome.restored = event.restoredTokens ?? 0;
      else if (event.type === "token") outcome.text += event.token.text;
    }
  } finally {
    slot.release();
  }
  return outcome;
}

const filesEnding = (dir: string, suffix: string) => readdirSync(dir).filter((name) => name.endsWith(suffix));

/** A folder holding one good saved state of the prefix, and the cold answer to compare with. */
let cold: Outcome;
let goodState: Buffer;
let goodRecord: string;
let stateName: string;
let recordName: string;

async function folderWithGoodState(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "urial-corrupt-"));
  writeFileSync(join(dir, stateName), goodState);
  writeFileSync(join(dir, recordName), goodRecord);
  return dir;
}

/** Restarts on `dir` and asserts the cost of a bad file: one line naming it, a cold prefill, the same answer. */
async function expectOneColdPrefill(dir: string, reason: RegExp): Promise<void> {
  const { engine, notices } = await start(dir);
  const after = await answer(engine);
  expect(after.restored).toBe(0);
  expect(after.text).toBe(cold.text);
  const bad = notices.filter((line) => line.includes(" is bad "));
  expect(bad).toHaveLength(1);
  expect(bad[0]).toMatch(reason);
  expect(bad[0]).toContain("deleted");
}

describe.skipIf(!testModelExists)(modelSuiteTitle("prefix-state corruption (real engine)"), () => {
  beforeAll(async () => {
    cold = await answer((await start(undefined)).engine);
    const dir = mkdtempSync(join(tmpdir(), "urial-corrupt-"));
    const first = await start(dir);
    expect((await answer(first.engine)).text).toBe(cold.text);
    stateName = filesEnding(dir, ".state")[0]!;
    recordName = filesEnding(dir, ".json")[0]!;
    goodState = readFileSync(join(dir, stateName));
    goodRecord = readFileSync(join(dir, recordName), "utf8");
    const record = JSON.parse(goodRecord) as { stateBytes: number; stateSha256: string };
    expect(record.stateBytes).toBe(goodState.length);
    expect(record.stateSha256).toMatch(/^[0-9a-f]{64}$/);
    // Sanity: an intact copy is restored, so the cases below test the damage and nothing else.
    const intact = await start(await folderWithGoodState());
    const restored = await answer(intact.engine);
    expect(restored.restored).toBeGreaterThan(0);
    expect(restored.text).toBe(cold.text);
  });

  for (const [label, keep, restartAgain] of [
    ["one byte short", (size: number) => size - 1, true],
    ["cut to 99 %", (size: number) => Math.floor(size * 0.99), false],
    ["cut to 50 %", (size: number) => Math.floor(size * 0.5), false],
    ["cut to 10 %", (size: number) => Math.floor(size * 0.1), false],
    ["empty", () => 0, false],
  ] as const) {
    it(`a state file ${label} is deleted with one log line and the prefix is evaluated again`, async () => {
      const dir = await folderWithGoodState();
      truncateSync(join(dir, stateName), keep(goodState.length));
      await expectOneColdPrefill(dir, /bytes where its record says/);
      if (!restartAgain) return;
      // The cold prefill saved a good state again: the next restart restores it.
      const again = await answer((await start(dir)).engine);
      expect(again.restored).toBeGreaterThan(0);
      expect(again.text).toBe(cold.text);
    });
  }

  it("4 KiB flipped inside the data are caught by the checksum (not loaded, answer unchanged)", async () => {
    const dir = await folderWithGoodState();
    const damaged = Buffer.from(goodState);
    const from = Math.floor(damaged.length / 2);
    for (let index = from; index < Math.min(from + 4096, damaged.length); index += 1) damaged[index] = damaged[index]! ^ 0xff;
    writeFileSync(join(dir, stateName), damaged);
    await expectOneColdPrefill(dir, /checksum/);
  });

  it("one flipped byte in the file's header is caught by the checksum", async () => {
    const dir = await folderWithGoodState();
    const damaged = Buffer.from(goodState);
    damaged[3] = damaged[3]! ^ 0x01;
    writeFileSync(join(dir, stateName), damaged);
    await expectOneColdPrefill(dir, /checksum/);
  });

  it("a file grown by trailing bytes is refused", async () => {
    const dir = await folderWithGoodState();
    writeFileSync(join(dir, stateName), Buffer.concat([goodState, Buffer.alloc(100, 1)]));
    await expectOneColdPrefill(dir, /bytes where its record says/);
  });

  it("a record without length and checksum (an older version's) is refused before loading", async () => {
    const dir = await folderWithGoodState();
    const { stateBytes: _bytes, stateSha256: _sha, ...old } = JSON.parse(goodRecord) as Record<string, unknown>;
    writeFileSync(join(dir, recordName), JSON.stringify(old));
    await expectOneColdPrefill(dir, /no length and checksum/);
  });

  it("a garbled or missing record is refused", async () => {
    const garbled = await folderWithGoodState();
    writeFileSync(join(garbled, recordName), "{not json");
    await expectOneColdPrefill(garbled, /JSON|Unexpected|Expected/);
    const missing = await folderWithGoodState();
    writeFileSync(join(missing, recordName), "");
    await expectOneColdPrefill(missing, /JSON|Unexpected|Expected/);
  });

  it("a read-only folder means no saved states, with one warning; requests are answered", async () => {
    const dir = await folderWithGoodState();
    readOnly.calls.add("writeFile");
    const { engine, notices } = await start(dir);
    expect(engine.info.prefixStatesDir).toBeNull();
    expect(notices.filter((line) => line.startsWith("prefix states disabled"))).toHaveLength(1);
    expect(notices.join("\n")).toContain("EROFS");
    const after = await answer(engine);
    expect(after.text).toBe(cold.text);
    expect(after.restored).toBe(0);
  });

  it("a bad file that cannot be deleted (folder turned read-only) costs one line; the answer is unchanged", async () => {
    const dir = await folderWithGoodState();
    truncateSync(join(dir, stateName), Math.floor(goodState.length / 2));
    const { engine, notices } = await start(dir);
    // The folder turns read-only after start-up (a remount).
    for (const call of ["writeFile", "rm", "rename"]) readOnly.calls.add(call);
    const first = await answer(engine);
    expect(first.text).toBe(cold.text);
    expect(first.restored).toBe(0);
    const bad = notices.filter((line) => line.includes(" is bad "));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain("could not be deleted (EROFS");
    expect(readFileSync(join(dir, stateName)).length).toBe(Math.floor(goodState.length / 2));
  });

  it("a folder path that cannot be a folder (under a file) means no saved states and a warning", async () => {
    const parent = mkdtempSync(join(tmpdir(), "urial-corrupt-"));
    writeFileSync(join(parent, "file"), "x");
    const { engine, notices } = await start(join(parent, "file", "states"));
    expect(engine.info.prefixStatesDir).toBeNull();
    expect(notices.join("\n")).toMatch(/prefix states disabled: cannot use .*ENOTDIR|EEXIST/);
    expect((await answer(engine)).text).toBe(cold.text);
  });
});
