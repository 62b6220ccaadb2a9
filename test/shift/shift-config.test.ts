import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/platform/package-root.js";
import { parseShiftConfig, shiftHelp, shiftOptions } from "../../src/config/shift-config.js";

const required = ["--base", "b.gguf", "--chat", "c.gguf", "--out", "out"];

describe("parseShiftConfig", () => {
  it("fills in the documented defaults", () => {
    const parsed = parseShiftConfig(required, {});
    expect(parsed).toMatchObject({
      ok: true,
      help: false,
      config: {
        base: "b.gguf",
        chat: "c.gguf",
        out: "out",
        prompts: join(packageRoot, "shift-prompts", "default.jsonl"),
        exemplars: "urial-help",
        maxTokens: 256,
        topK: 10,
        temperature: 0,
        gpu: "auto",
      },
    });
    if (parsed.ok && !parsed.help) {
      expect(parsed.config.limit).toBeUndefined();
      expect(parsed.config.seed).toBeUndefined();
      expect(parsed.config.chatTemplate).toBeUndefined();
    }
  });

  it("parses every option", () => {
    const parsed = parseShiftConfig(
      [
        ...required,
        "--prompts",
        "p.txt",
        "--exemplars",
        "tiny",
        "--limit",
        "3",
        "--max-tokens",
        "64",
        "--top-k",
        "5",
        "--temperature",
        "0.7",
        "--seed",
        "42",
        "--threads",
        "1",
        "--batch-threads",
        "2",
        "--gpu",
        "off",
        "--context-size",
        "512",
        "--chat-template",
        "U: {query}",
      ],
      {},
    );
    expect(parsed).toMatchObject({
      ok: true,
      config: {
        prompts: "p.txt",
        exemplars: "tiny",
        limit: 3,
        maxTokens: 64,
        topK: 5,
        temperature: 0.7,
        seed: 42,
        threads: 1,
        batchThreads: 2,
        gpu: false,
        contextSize: 512,
        chatTemplate: "U: {query}",
      },
    });
  });

  it("reads the models, threads and context from the serve variables; the flag wins", () => {
    const env = { URIAL_MODEL: "env-base.gguf", URIAL_CHAT_MODEL: "env-chat.gguf", URIAL_THREADS: "2", URIAL_CONTEXT_SIZE: "1024" };
    expect(parseShiftConfig(["--out", "o"], env)).toMatchObject({ ok: true, config: { base: "env-base.gguf", chat: "env-chat.gguf", threads: 2, contextSize: 1024 } });
    expect(parseShiftConfig(["--out", "o", "--chat", "flag.gguf"], env)).toMatchObject({ ok: true, config: { chat: "flag.gguf" } });
  });

  it("names a missing required flag", () => {
    expect(parseShiftConfig(["--base", "b", "--out", "o"], {})).toEqual({ ok: false, message: expect.stringMatching(/^--chat MODEL is required \(or set URIAL_CHAT_MODEL\)/) });
    expect(parseShiftConfig(["--base", "b", "--chat", "c"], {})).toEqual({ ok: false, message: expect.stringMatching(/^--out DIR is required\./) });
  });

  it("names the flag, the rule and the value of a bad setting", () => {
    expect(parseShiftConfig([...required, "--top-k", "0"], {})).toEqual({ ok: false, message: "--top-k must be at least 1; got '0'." });
    expect(parseShiftConfig([...required, "--limit", "two"], {})).toEqual({ ok: false, message: "--limit must be a whole number; got 'two'." });
    expect(parseShiftConfig([...required, "--gpu", "tpu"], {})).toEqual({ ok: false, message: "--gpu (or URIAL_GPU) must be auto, cuda, vulkan, metal or off; got 'tpu'." });
    expect(parseShiftConfig([...required, "--temperature=-1"], {})).toEqual({ ok: false, message: "--temperature must be at least 0; got '-1'." });
  });

  it("rejects unknown flags and stray arguments", () => {
    expect(parseShiftConfig([...required, "--nope", "1"], {})).toMatchObject({ ok: false, message: expect.stringContaining("urial shift --help") });
    expect(parseShiftConfig([...required, "stray"], {})).toMatchObject({ ok: false });
  });

  it("answers --help even without the required flags", () => {
    expect(parseShiftConfig(["--help"], {})).toEqual({ ok: true, help: true });
  });
});

describe("shiftHelp", () => {
  it("lists every flag with its variable and default", () => {
    const help = shiftHelp();
    for (const spec of Object.values(shiftOptions)) {
      expect(help).toContain(`--${spec.flag} ${spec.value}`);
      if ("env" in spec) expect(help).toContain(spec.env);
    }
    expect(help).toContain("(default: 10)");
    expect(help.split("\n")).toEqual(expect.arrayContaining(["  --config FILE", "  --print-config"]));
  });
});
