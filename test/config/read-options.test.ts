/**
 * The one option layer: the same precedence, the same `URIAL_*` values and
 * the same `--threads auto` and `--batch-threads auto` defaults for every
 * command that loads a model, a "did you mean" for a mistyped flag, and short
 * flags from the table.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { abHelp, parseAbCalibrateConfig, parseAbConfig, parseAbEvolveConfig } from "../../src/config/ab-config.js";
import { chatOptionsHelp, parseChatConfig } from "../../src/config/chat-config.js";
import { exemplarSearchHelp, parseExemplarSearchConfig } from "../../src/config/exemplar-search-config.js";
import { generateHelp, parseGenerateConfig } from "../../src/config/generate-config.js";
import { didYouMean } from "../../src/config/did-you-mean.js";
import { parseOptions, type Env, type OptionTable } from "../../src/config/read-options.js";
import { parseServeConfig, serveHelp } from "../../src/config/serve-config.js";
import { parseShiftConfig, shiftHelp } from "../../src/config/shift-config.js";

const abRequired = ["--variants", "urial,urial/x", "--judge", "http://judge/v1", "--out", "o", "--model", "m.gguf"];
const shiftRequired = ["--base", "b.gguf", "--chat", "c.gguf", "--out", "o"];
const evolveRequired = ["--from", "d", "--out", "s.jsonl", "--judge", "http://judge/v1"];
const calibrateRequired = ["--from", "d", "--weak", "http://w/v1", "--strong", "http://s/v1"];

const searchRequired = ["--base", "b.gguf", "--chat", "c.gguf", "--pool", "p.jsonl", "--queries", "q.jsonl", "--out", "s.json"];

/** Every command that loads a model, with the flags it needs to parse (its local-model form, for chat). */
const modelCommands: [string, (argv: string[], env: Env) => { ok: boolean; help?: boolean; config?: unknown; message?: string }][] = [
  ["serve", (argv, env) => parseServeConfig(["--model", "m.gguf", ...argv], env)],
  ["generate", (argv, env) => parseGenerateConfig(["--model", "m.gguf", "--suite", "s.jsonl", "--out", "o.jsonl", ...argv], env)],
  ["chat", (argv, env) => parseChatConfig(["--model", "m.gguf", ...argv], env)],
  ["shift", (argv, env) => parseShiftConfig([...shiftRequired, ...argv], env)],
  ["exemplars search", (argv, env) => parseExemplarSearchConfig([...searchRequired, ...argv], env)],
  ["ab", (argv, env) => parseAbConfig([...abRequired, ...argv], env)],
  ["ab evolve", (argv, env) => parseAbEvolveConfig([...evolveRequired, ...argv], env)],
  ["ab calibrate", (argv, env) => parseAbCalibrateConfig([...calibrateRequired, ...argv], env)],
];

function batchThreadsOf(result: { ok: boolean; help?: boolean; config?: unknown; message?: string }): unknown {
  if (!result.ok || result.help) throw new Error(`not parsed: ${result.message ?? "help"}`);
  return (result.config as { batchThreads: unknown }).batchThreads;
}

function threadsOf(result: { ok: boolean; help?: boolean; config?: unknown; message?: string }): unknown {
  if (!result.ok || result.help) throw new Error(`not parsed: ${result.message ?? "help"}`);
  return (result.config as { threads: unknown }).threads;
}

describe("one option layer for every command", () => {
  it("defaults --threads to auto for every command that loads a model", () => {
    expect(threadsOf(parseServeConfig(["--model", "m.gguf"], {}))).toBe("auto");
    expect(threadsOf(parseShiftConfig(shiftRequired, {}))).toBe("auto");
    expect(threadsOf(parseAbConfig(abRequired, {}))).toBe("auto");
    expect(threadsOf(parseAbEvolveConfig(evolveRequired, {}))).toBe("auto");
    expect(threadsOf(parseAbCalibrateConfig(calibrateRequired, {}))).toBe("auto");
  });

  it("accepts URIAL_THREADS=auto and a number the same way everywhere, the flag winning", () => {
    for (const value of ["auto", "3"]) {
      const expected = value === "auto" ? "auto" : 3;
      expect(threadsOf(parseServeConfig(["--model", "m.gguf"], { URIAL_THREADS: value }))).toBe(expected);
      expect(threadsOf(parseShiftConfig(shiftRequired, { URIAL_THREADS: value }))).toBe(expected);
      expect(threadsOf(parseAbConfig(abRequired, { URIAL_THREADS: value }))).toBe(expected);
    }
    expect(threadsOf(parseShiftConfig([...shiftRequired, "--threads", "2"], { URIAL_THREADS: "auto" }))).toBe(2);
    expect(parseShiftConfig(shiftRequired, { URIAL_THREADS: "many" })).toEqual({ ok: false, message: "--threads (or URIAL_THREADS) must be auto or a whole number from 1 to 1024; got 'many'." });
  });

  it("takes --batch-threads N|auto (URIAL_BATCH_THREADS, default auto) on every command that loads a model, with serve's message for a bad value", () => {
    for (const [command, parse] of modelCommands) {
      expect(batchThreadsOf(parse([], {})), command).toBe("auto");
      expect(batchThreadsOf(parse([], { URIAL_BATCH_THREADS: "3" })), command).toBe(3);
      expect(batchThreadsOf(parse(["--batch-threads", "2"], { URIAL_BATCH_THREADS: "auto" })), command).toBe(2);
      expect(batchThreadsOf(parse(["--batch-threads=auto"], { URIAL_BATCH_THREADS: "4" })), command).toBe("auto");
      expect(parse(["--batch-threads", "many"], {}), command).toEqual({ ok: false, message: "--batch-threads (or URIAL_BATCH_THREADS) must be auto or a whole number from 1 to 1024; got 'many'." });
      expect(parse([], { URIAL_BATCH_THREADS: "0" }), command).toEqual({ ok: false, message: "--batch-threads (or URIAL_BATCH_THREADS) must be at least 1; got '0'." });
    }
  });

  it("lists --threads and --batch-threads with their variables in the help of every command that loads a model", () => {
    const helps = {
      serve: serveHelp(),
      generate: generateHelp(),
      chat: chatOptionsHelp(),
      shift: shiftHelp(),
      search: exemplarSearchHelp(),
      ab: abHelp("ab"),
      evolve: abHelp("evolve"),
      calibrate: abHelp("calibrate"),
    };
    for (const [command, help] of Object.entries(helps)) {
      const lines = help.split("\n");
      expect(lines, command).toContainEqual(expect.stringMatching(/^ {2}(-t, )?--threads N\|auto +URIAL_THREADS$/));
      expect(lines, command).toContain("  --batch-threads N|auto          URIAL_BATCH_THREADS");
    }
  });

  it("answers a mistyped flag with the closest one", () => {
    expect(parseShiftConfig([...shiftRequired, "--max-token", "5"], {})).toEqual({
      ok: false,
      message: "unknown option '--max-token'. Did you mean '--max-tokens'? Run 'urial shift --help' for the options.",
    });
    expect(parseServeConfig(["--prot", "80"], {})).toMatchObject({ ok: false, message: expect.stringContaining("Did you mean '--port'?") });
    expect(parseAbConfig([...abRequired, "--zzzzzz"], {})).toMatchObject({ ok: false, message: expect.not.stringContaining("Did you mean") });
    expect(didYouMean("genrate", ["serve", "generate", "shift"])).toBe("generate");
    expect(didYouMean("xyz", ["serve", "generate"])).toBeUndefined();
    // A prefix of 3 characters or more counts as one edit, unless prefixes are off (config-file keys).
    expect(didYouMean("context", ["context-size", "port"])).toBe("context-size");
    expect(didYouMean("context", ["context-size", "port"], { prefixes: false })).toBeUndefined();
  });

  it("reads short flags, switches, positionals and computed defaults from the table", () => {
    const table = {
      model: { flag: "model", short: "m", env: "URIAL_MODEL", value: "MODEL", description: "model" },
      dir: { flag: "dir", value: "DIR", description: "dir", defaultValue: (env) => `${env.HOME ?? "/"}/x` },
      json: { flag: "json", value: "", description: "json", boolean: true },
    } satisfies OptionTable;
    const schema = z.object({ model: z.string(), dir: z.string(), json: z.literal("true").optional() });
    expect(parseOptions("t", table, schema, ["-m", "a.gguf", "--json", "list"], { HOME: "/home/u" }, { positionals: true })).toMatchObject({
      ok: true,
      config: { model: "a.gguf", dir: "/home/u/x", json: "true" },
      positionals: ["list"],
    });
    expect(parseOptions("t", table, schema, [], { URIAL_MODEL: "env.gguf", HOME: "/h" })).toMatchObject({ ok: true, config: { model: "env.gguf", dir: "/h/x" } });
    // An empty variable counts as unset.
    expect(parseOptions("t", table, schema, [], { URIAL_MODEL: "" })).toMatchObject({ ok: false, message: expect.stringContaining("--model (or URIAL_MODEL)") });
  });
});
