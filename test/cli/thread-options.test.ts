/**
 * Every command that loads a model hands its decode and prefill thread counts
 * (`--threads`, `--batch-threads`, from a flag, a `URIAL_*` variable or a
 * `--config` key) to the engine it starts, with the physical core count as
 * the ceiling. The two engine entry points are replaced by recorders here:
 * `startLlamaEngine` records its options and returns the fake engine (so
 * `urial ab` goes on to open its local judge), `startScoringRuntime` records
 * its options and stops the command with a model error. No model is loaded.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runAbCommand } from "../../src/cli/ab-command.js";
import { runChatCommand } from "../../src/cli/chat-command.js";
import { runExemplarsSearchCommand } from "../../src/cli/exemplars-search-command.js";
import { runGenerateCommand } from "../../src/cli/generate-command.js";
import { runShiftCommand } from "../../src/cli/shift-command.js";
import { physicalCoreCount } from "../../src/platform/physical-core-count.js";

const started = vi.hoisted(() => ({ engines: [] as Record<string, unknown>[], runtimes: [] as Record<string, unknown>[] }));

vi.mock("../../src/engine/llama-engine.js", async () => {
  const { FakeEngine } = await import("../support/fake-engine.js");
  return {
    startLlamaEngine: async (options: Record<string, unknown>) => {
      started.engines.push(options);
      return new FakeEngine({ script: "Hello! Here is an answer." });
    },
  };
});

vi.mock("../../src/engine/llama-scoring-runtime.js", async () => {
  const { ModelLoadError } = await import("../../src/models/model-file-check.js");
  return {
    startScoringRuntime: async (options: Record<string, unknown>) => {
      started.runtimes.push(options);
      throw new ModelLoadError("(scoring runtime)", "not loaded: the test stops here");
    },
  };
});

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdin: { isTTY: false }, stdout: { write: (text: string) => ((stdout += text), true) }, stderr: { write: (text: string) => ((stderr += text), true), isTTY: false } },
    output: () => `${stdout}${stderr}`,
  };
}

const fixtures = join(import.meta.dirname, "../fixtures");
const catalogFlags = ["--exemplars-dir", join(fixtures, "exemplars"), "--system-prompts-dir", join(fixtures, "system-prompts")];
const cores = physicalCoreCount();

let folder: string;
let base: string;
let chat: string;
let suite: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "urial-thread-options-"));
  // Files that pass as paths and fingerprint; nothing reads them as a model (the engines are recorders).
  base = join(folder, "base.gguf");
  chat = join(folder, "chat.gguf");
  for (const path of [base, chat]) await writeFile(path, Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(256)]));
  suite = join(folder, "suite.jsonl");
  await writeFile(suite, '{"id": "hi", "query": "Say hello."}\n');
});
afterAll(() => rm(folder, { recursive: true, force: true }));
beforeEach(() => {
  started.engines.length = 0;
  started.runtimes.length = 0;
});

describe("--threads and --batch-threads reach the engine", () => {
  it("urial chat --model: from the flags", async () => {
    const out = capture();
    await runChatCommand(["--model", base, "--threads", "1", "--batch-threads", "2", "Hi"], {}, out.io as never);
    expect(started.engines, out.output()).toEqual([expect.objectContaining({ modelPath: base, threads: 1, batchThreads: 2, maxThreads: cores })]);
  });

  it("urial generate: from a --config file", async () => {
    const config = join(folder, "generate.yaml");
    await writeFile(config, `model: ./base.gguf\nsuite: ./suite.jsonl\nout: ./sft.jsonl\nmodel-id: urial/tiny\nthreads: 2\nbatch-threads: 3\n`);
    const out = capture();
    await runGenerateCommand(["--config", config, ...catalogFlags, "--exemplars", "tiny"], {}, out.io);
    expect(started.engines, out.output()).toEqual([expect.objectContaining({ modelPath: base, threads: 2, batchThreads: 3, maxThreads: cores })]);
  });

  it("urial shift: from URIAL_THREADS and URIAL_BATCH_THREADS", async () => {
    const out = capture();
    const code = await runShiftCommand(["--base", base, "--chat", chat, "--out", join(folder, "shift")], { URIAL_THREADS: "1", URIAL_BATCH_THREADS: "4" }, out.io);
    expect(code).toBe(1);
    expect(started.runtimes, out.output()).toEqual([expect.objectContaining({ threads: 1, batchThreads: 4, maxThreads: cores })]);
  });

  it("urial exemplars search: from the flags", async () => {
    const out = capture();
    const argv = ["--base", base, "--chat", chat, "--pool", join(fixtures, "exemplar-search/pool.jsonl"), "--queries", join(fixtures, "exemplar-search/queries.jsonl")];
    const code = await runExemplarsSearchCommand([...argv, "-k", "1", "--out", join(folder, "searched.json"), "--threads", "auto", "--batch-threads", "2"], {}, out.io);
    expect(code).toBe(1);
    expect(started.runtimes, out.output()).toEqual([expect.objectContaining({ threads: "auto", batchThreads: 2, maxThreads: cores })]);
  });

  it("urial ab: the answering engine and the local judge, from a run file", async () => {
    const config = join(folder, "ab.yaml");
    await writeFile(
      config,
      ["model: ./base.gguf", "variants: [urial/tiny, urial/tiny-two]", "judge: local", "judge-model: ./chat.gguf", "suite: ./suite.jsonl", "out: ./ab", "threads: 1", "batch-threads: 2"].join("\n"),
    );
    const out = capture();
    const code = await runAbCommand(["--config", config, ...catalogFlags, "--exemplars", "tiny"], {}, out.io);
    expect(code).toBe(1);
    expect(started.engines, out.output()).toEqual([expect.objectContaining({ modelPath: base, threads: 1, batchThreads: 2, maxThreads: cores })]);
    expect(started.runtimes, out.output()).toEqual([expect.objectContaining({ threads: 1, batchThreads: 2, maxThreads: cores })]);
  });
});
