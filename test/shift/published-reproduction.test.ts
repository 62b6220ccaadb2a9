/**
 * Part of the reproduction on a real 7B pair that can be checked here (no
 * hub access): the published splits and the comparison table, `--published`
 * validation, the README's command parsing as it is written, and `hf:`
 * names failing cleanly, in one line, when the hub cannot be reached (the
 * run on local files is in test/alignment/urial-shift.test.ts).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runShiftCommand } from "../../src/cli/shift-command.js";
import { parseShiftConfig } from "../../src/config/shift-config.js";
import { formatPublishedComparison, publishedSplits } from "../../src/shift/published-splits.js";
import { repositoryRoot } from "../support/run-cli.js";

const split = (unshifted: number, marginal: number, shifted: number) => ({
  positions: 1000,
  unshifted: 0,
  marginal: 0,
  shifted: 0,
  unshiftedShare: unshifted,
  marginalShare: marginal,
  shiftedShare: shifted,
  meanKl: null,
  meanRank: null,
});

async function shift(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runShiftCommand(args, env, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } });
  return { code, stdout, stderr };
}

/** The `urial shift …` commands of the README's reproduction section, as argument lists. */
async function readmeCommands(): Promise<string[][]> {
  const readme = await readFile(join(repositoryRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Reproducing the paper's split on a real 7B pair"));
  const block = section.slice(section.indexOf("```sh") + 5, section.indexOf("```", section.indexOf("```sh") + 5));
  return block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((line) => line.startsWith("urial shift "))
    .map((line) =>
      line
        .replace(/^urial shift /, "")
        .trim()
        .split(/\s+/),
    );
}

describe("the published splits", () => {
  it("are the paper's figures, and sit beside a run's split with the differences", () => {
    expect(publishedSplits["llama-2-7b"]).toEqual({ pair: "Llama-2-7b → Llama-2-7b-chat", unshifted: 0.777, marginal: 0.145, shifted: 0.078 });
    expect(publishedSplits["mistral-7b"]).toEqual({ pair: "Mistral-7B → Mistral-7B-Instruct", unshifted: 0.822, marginal: 0.125, shifted: 0.052 });
    expect(formatPublishedComparison("llama-2-7b", split(0.75, 0.15, 0.1), split(0.9, 0.07, 0.03))).toMatchInlineSnapshot(`
      "Compared with the published split of Llama-2-7b → Llama-2-7b-chat (Lin et al. 2023):

      | | unshifted | marginal | shifted |
      |---|---:|---:|---:|
      | this run, zero-shot base | 75.0 % | 15.0 % | 10.0 % |
      | published (Lin et al. 2023) | 77.7 % | 14.5 % | 7.8 % |
      | difference (points) | −2.7 | +0.5 | +2.2 |
      | this run, URIAL base | 90.0 % | 7.0 % | 3.0 % |"
    `);
    expect(formatPublishedComparison("mistral-7b", split(0.822, 0.125, 0.052), split(0.9, 0.07, 0.03))).toContain(
      "| published (Lin et al. 2023) | 82.2 % | 12.5 % | 5.2 % |\n| difference (points) | +0.0 | +0.0 | +0.0 |",
    );
  });
});

describe("urial shift --published", () => {
  it("names the pairs it knows when given another", async () => {
    const result = await shift(["--base", "a.gguf", "--chat", "b.gguf", "--out", "x", "--published", "gpt-2"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "urial shift: --published must be llama-2-7b or mistral-7b; got 'gpt-2'.\n" });
  });

  it("documents one command per pair in the README, and each parses as written", async () => {
    const commands = await readmeCommands();
    expect(commands.map((args) => args[args.indexOf("--published") + 1])).toEqual(["llama-2-7b", "mistral-7b"]);
    for (const args of commands) {
      const parsed = parseShiftConfig(args, {});
      expect(parsed.ok && !parsed.help, JSON.stringify(parsed)).toBe(true);
      if (parsed.ok && !parsed.help) {
        expect(parsed.config.base).toMatch(/^hf:/);
        expect(parsed.config.chat).toMatch(/^hf:/);
      }
    }
  });

  it("fails in one clean line, before loading anything, when the hub cannot be reached for an hf: name", async () => {
    const [args] = await readmeCommands();
    const models = await mkdtemp(join(tmpdir(), "urial-hf-offline-"));
    try {
      const out = join(models, "out");
      const patched = args!.map((arg, index) => (args![index - 1] === "--out" ? out : arg));
      // A mirror that refuses connections at once stands in for a machine without network.
      const result = await shift([...patched, "--models-dir", models, "--limit", "2"], { HF_ENDPOINT: "http://127.0.0.1:9" });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^urial shift: .*hf:TheBloke\/Llama-2-7B-GGUF:Q8_0.*cannot reach/);
    } finally {
      await rm(models, { recursive: true, force: true });
    }
  });
});
