/**
 * `urial exemplars search` options: defaults, -k, the set name from --out,
 * and one clear message per mistake (flag, rule, value).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { exemplarSearchHelp, parseExemplarSearchConfig } from "../../src/config/exemplar-search-config.js";

const required = ["--base", "b.gguf", "--chat", "c.gguf", "--pool", "pool.jsonl", "--queries", "q.jsonl", "--out", "exemplars/my-set.json"];

describe("parseExemplarSearchConfig", () => {
  it("fills the defaults and names the set and report folder after --out", () => {
    const result = parseExemplarSearchConfig(required, {});
    if (!result.ok || result.help) throw new Error("expected a config");
    expect(result.config).toMatchObject({
      k: 3,
      objective: "shifted",
      swapPasses: 1,
      randomSets: 1,
      seed: 0,
      cache: "on",
      systemPrompt: "urial-default",
      maxTokens: 256,
      poolMaxTokens: 512,
      name: "my-set",
      reportDir: join("exemplars", "my-set-search"),
      gpu: "auto",
    });
    expect(result.config.maxPrefixTokens).toBeUndefined();
    expect(result.config.informative).toBeUndefined();
  });

  it("takes -k N, the budget flags and the models from URIAL_* variables", () => {
    const result = parseExemplarSearchConfig(
      [
        "--pool-from-chat",
        "seed.txt",
        "--queries",
        "q.jsonl",
        "--out",
        "s.json",
        "-k",
        "2",
        "--objective",
        "kl",
        "--informative",
        "4",
        "--max-prefix-tokens",
        "900",
        "--max-evaluations",
        "50",
        "--swap-passes",
        "0",
        "--cache",
        "off",
      ],
      { URIAL_MODEL: "base.gguf", URIAL_CHAT_MODEL: "chat.gguf", URIAL_THREADS: "1" },
    );
    if (!result.ok || result.help) throw new Error(result.ok ? "help" : result.message);
    expect(result.config).toMatchObject({
      base: "base.gguf",
      chat: "chat.gguf",
      k: 2,
      objective: "kl",
      informative: 4,
      maxPrefixTokens: 900,
      maxEvaluations: 50,
      swapPasses: 0,
      cache: "off",
      threads: 1,
      poolFromChat: "seed.txt",
    });
  });

  it.each([
    [["--chat", "c", "--pool", "p", "--queries", "q", "--out", "s.json"], "--base MODEL is required (or set URIAL_MODEL)"],
    [["--base", "b", "--chat", "c", "--queries", "q", "--out", "s.json"], "give the candidates with --pool FILE and/or --pool-from-chat QUERIES"],
    [[...required, "-k", "0"], "--k must be at least 1; got '0'"],
    [[...required, "--objective", "loss"], "--objective must be shifted or kl; got 'loss'"],
    [[...required.slice(0, -2), "--out", "exemplars/set.txt"], "--out must be a .json file"],
    [[...required.slice(0, -2), "--out", "exemplars/My Set.json"], "--out exemplars/My Set.json: the file name is the set's name, which must be lowercase"],
    [[...required, "--name", "other"], "--name other must equal the file name of --out (my-set.json)"],
    [[...required, "--informative", "x"], "--informative must be a whole number; got 'x'"],
    [[...required, "--bogus"], "unknown option '--bogus'"],
  ])("rejects %j", (argv, message) => {
    const result = parseExemplarSearchConfig(argv, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("lists every option in the help", () => {
    const help = exemplarSearchHelp();
    for (const flag of ["--pool-from-chat", "--informative", "--max-prefix-tokens", "--objective", "--seed", "--swap-passes", "--max-evaluations", "--report-dir"]) expect(help).toContain(flag);
    expect(parseExemplarSearchConfig(["--help"], {})).toEqual({ ok: true, help: true });
  });
});
