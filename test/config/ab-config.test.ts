/**
 * `urial ab` settings and the experiment flags of `urial serve`: defaults,
 * variables, and messages that name the flag, its variable and the rule.
 */
import { describe, expect, it } from "vitest";
import { abHelp, parseAbCalibrateConfig, parseAbConfig, parseAbEvolveConfig } from "../../src/config/ab-config.js";
import { parseServeConfig, serveHelp } from "../../src/config/serve-config.js";

const required = ["--variants", "urial/a,urial/b", "--judge", "http://127.0.0.1:9/v1", "--out", "out", "--model", "m.gguf"];

describe("parseAbConfig", () => {
  it("fills in the defaults", () => {
    const result = parseAbConfig(required, {});
    expect(result.ok && !result.help && result.config).toMatchObject({
      variants: ["urial/a", "urial/b"],
      judge: "http://127.0.0.1:9/v1",
      samples: 1,
      seed: 1,
      temperature: 0,
      maxTokens: 512,
      bootstrap: 2000,
      judgeRetries: 2,
      judgeTimeout: 120,
      exemplars: "urial-help",
      gpu: "auto",
    });
    expect(result.ok && !result.help && result.config.suite).toMatch(/ab-suites\/default\.jsonl$/);
  });

  it("reads the judge, model and engine settings from URIAL_* variables; a flag wins", () => {
    const env = { URIAL_JUDGE: "local", URIAL_JUDGE_MODEL: "chat.gguf", URIAL_JUDGE_API_KEY: "sk-x", URIAL_MODEL: "base.gguf", URIAL_THREADS: "1", URIAL_GPU: "off", URIAL_CONTEXT_SIZE: "512" };
    const result = parseAbConfig(["--variants", "urial/a,urial/b", "--out", "o", "--threads", "2"], env);
    expect(result.ok && !result.help && result.config).toMatchObject({ judge: "local", judgeModel: "chat.gguf", judgeApiKey: "sk-x", model: "base.gguf", threads: 2, gpu: false, contextSize: 512 });
  });

  it("names the flag, the variable and the rule, and never shows a key", () => {
    const message = (argv: string[], env: Record<string, string> = {}) => {
      const result = parseAbConfig(argv, env);
      return result.ok ? "ok" : result.message;
    };
    expect(message(["--out", "o"])).toBe("--variants IDS, --judge URL|local (or set URIAL_JUDGE) and --model MODEL (or set URIAL_MODEL) are required. Run 'urial ab --help' for the options.");
    expect(message([...required, "--variants", "urial/a,urial/a"])).toBe("--variants must name at least two different model ids, comma-separated; got 'urial/a,urial/a'.");
    expect(message([...required, "--temperature", "3"])).toBe("--temperature must be at most 2; got '3'.");
    expect(message([...required, "--judge-api-key", "has space"])).toBe("--judge-api-key (or URIAL_JUDGE_API_KEY) must be printable ASCII without spaces; got a value of 9 characters (not shown).");
    expect(message([...required, "--samples", "2"])).toBe("--samples 2 needs --temperature above 0 (greedy answers would all be the same).");
    expect(message([...required, "--samples", "2", "--temperature", "0.7"])).toBe("ok");
    expect(message([...required, "--bogus"])).toMatch(/unknown option '--bogus'.*Run 'urial ab --help'/i);
  });

  it("parses evolve and calibrate", () => {
    const evolve = parseAbEvolveConfig(["--from", "d", "--judge", "http://127.0.0.1:9", "--out", "s.jsonl"], {});
    expect(evolve.ok && !evolve.help && evolve.config).toMatchObject({ from: "d", top: 10, judgeRetries: 2 });
    const calibrate = parseAbCalibrateConfig(["--from", "d", "--weak", "http://127.0.0.1:9", "--strong", "local", "--strong-model", "big.gguf"], {});
    expect(calibrate.ok && !calibrate.help && calibrate.config).toMatchObject({ weak: "http://127.0.0.1:9", strong: "local", strongModel: "big.gguf", judgeMaxTokens: 512, judgeParallel: 1 });
    const noModel = parseAbCalibrateConfig(["--from", "d", "--weak", "local", "--strong", "local", "--strong-model", "x"], {});
    expect(noModel).toEqual({ ok: false, message: "--weak local needs --weak-model PATH: a chat GGUF." });
    expect(abHelp("calibrate")).toContain("--strong URL|local");
  });
});

describe("urial serve experiment flags", () => {
  it("are off by default, with a rotated outcome log in the cache folder", () => {
    const result = parseServeConfig(["--model", "m.gguf"], { XDG_CACHE_HOME: "/tmp/x" });
    expect(result.ok && result.config).toMatchObject({ experimentLogMaxBytes: 64 * 1024 * 1024, experimentLogFiles: 5, experimentLogText: false });
    expect(result.ok && result.config.experiments).toBeUndefined();
    expect(result.ok && result.config.experimentLog).toMatch(/experiments\/outcomes\.jsonl$/);
  });

  it("read URIAL_EXPERIMENT* variables and check them", () => {
    const result = parseServeConfig(["--model", "m.gguf", "--experiment-log-text", "on"], {
      URIAL_EXPERIMENTS: "exp.json",
      URIAL_EXPERIMENT_LOG: "/var/log/o.jsonl",
      URIAL_EXPERIMENT_LOG_FILES: "0",
      URIAL_EXPERIMENT_LOG_MAX_BYTES: "1000",
    });
    expect(result.ok && result.config).toMatchObject({ experiments: "exp.json", experimentLog: "/var/log/o.jsonl", experimentLogFiles: 0, experimentLogMaxBytes: 1000, experimentLogText: true });
    const bad = parseServeConfig(["--model", "m.gguf", "--experiment-log-files=-1"], {});
    expect(bad).toEqual({ ok: false, message: "--experiment-log-files (or URIAL_EXPERIMENT_LOG_FILES) must be at least 0; got '-1'." });
    expect(serveHelp()).toContain("--experiments FILE");
  });
});
