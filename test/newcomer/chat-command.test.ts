/**
 * `urial chat` as a user drives it: through a pipe against the real tiny
 * model (turns, /set, /prompt, /reset, the context error with its fix), and
 * through a pseudo-terminal (util-linux `script`) against a served app whose
 * fake engine answers slowly, so Ctrl-C can land mid-answer: the answer stops,
 * the program stays, the next question is answered.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine } from "../support/fake-engine.js";
import { builtCli, cleanEnv, repositoryRoot, runUrial, type Finished } from "../support/run-cli.js";
import { serveApp, type ServedApp } from "../support/serve-app.js";
import { modelSuiteTitle, testModelExists } from "../support/test-model.js";

const stories = fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));
const model = process.env.URIAL_TEST_MODEL ?? stories;

/** Runs `urial chat …` with `input` on stdin (a pipe). */
function chatThroughPipe(args: readonly string[], input: string, limitMs = 100_000): Promise<Finished> {
  return runUrial(["chat", ...args], limitMs, { input });
}

describe.skipIf(!testModelExists)(modelSuiteTitle("urial chat through a pipe, real model"), { timeout: 120_000 }, () => {
  it("answers each line as a turn, runs the commands, and says how to fix a set that does not fit", async () => {
    const input = ["Tell me about a cat.", "/set", "/prompt", "/reset", "/prompt", "/set urial-help", "Hi", "/set urial-1shot", "Hi", "/bye", "never read"].join("\n");
    const result = await chatThroughPipe(["-m", model, "-t", "1", "--max-tokens", "12", "--temperature", "0"], `${input}\n`);
    const { stdout, stderr } = result;
    // The first answer, then the set list with the current one starred (stories260K's 2k context: 'urial' is urial-1shot).
    const [firstAnswer, ...rest] = stdout.split("\n");
    expect(firstAnswer!.length).toBeGreaterThan(5);
    expect(rest.slice(0, 2)).toEqual(["* urial", "  urial/principles"]);
    // /prompt shows the URIAL prompt of the last turn: the exemplars, then the user's query in a block.
    expect(stdout).toContain("# Query:\n```\nTell me about a cat.\n```\n\n# Answer:\n```\n");
    expect(stderr).toMatch(/\[urial: \d+ tokens\]/);
    expect(stderr).toContain("[conversation cleared]");
    expect(stderr).toContain("nothing sent yet: /prompt TEXT shows the prompt TEXT would be sent as");
    expect(stderr).toContain("[now answering with urial/urial-help]");
    expect(stderr).toMatch(
      /error: This model's context holds 2048 tokens per request, but the prompt has \d+ tokens: \d+ for exemplar set 'urial-help' and \d+ for your messages, .* To fix it, use model 'urial\/urial-1shot' .* In this chat: \/set urial-1shot\n/,
    );
    expect(stderr).toContain("[now answering with urial/urial-1shot]");
    expect(stdout).not.toContain("never read");
    // A failed turn makes the exit code 1 (scripts can tell), the rest still ran.
    expect(result.code).toBe(1);
    expect(stdout.trim().split("\n").at(-1)!.length).toBeGreaterThan(3);
  });

  it("answers a MESSAGE argument and exits 0", async () => {
    const result = await runUrial(["chat", "-m", model, "-t", "1", "--max-tokens", "8", "--temperature", "0", "Once upon a time"], 100_000);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(3);
    expect(result.stdout.split("\n").length).toBe(2);
  });
});

describe("urial chat errors", () => {
  it("says the server is not there and what to do, with the URL", async () => {
    const result = await runUrial(["chat", "--url", "http://127.0.0.1:9/v1", "Hi"], 15_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^urial chat: cannot reach http:\/\/127\.0\.0\.1:9\/v1 \(.+\); is the server running\? Start one with 'npx urial serve', or chat with a model file: 'npx urial chat --model PATH'\n$/,
    );
  });

  it("refuses --model with --url, and bad numbers, naming the flag", async () => {
    expect((await runUrial(["chat", "--model", "x.gguf", "--url", "http://127.0.0.1:9"], 15_000)).stderr).toBe(
      "urial chat: give --model (a GGUF to load here) or --url (a running server), not both.\n",
    );
    expect((await runUrial(["chat", "--temperature", "hot"], 15_000)).stderr).toBe("urial chat: --temperature must be a number from 0 to 2; got 'hot'.\n");
  });
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe.skipIf(!hasScript)("urial chat in a pseudo-terminal (script)", () => {
  let served: ServedApp;
  beforeAll(async () => {
    const catalog = await loadCatalog({
      exemplarsDir: fileURLToPath(new URL("../fixtures/exemplars", import.meta.url)),
      systemPromptsDir: fileURLToPath(new URL("../fixtures/system-prompts", import.meta.url)),
      defaultSet: "tiny",
    });
    // The first answer is long and slow, so Ctrl-C lands mid-answer; the next is short.
    const engine = new FakeEngine({ script: ({ call }) => (call === 0 ? "word ".repeat(400) : "Short answer."), tokenDelayMs: 5 });
    served = await serveApp(createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 }));
  });
  afterAll(() => served.close());

  it("prompts, streams, stops an answer on Ctrl-C and keeps going, and quits on /bye", async () => {
    const child = spawn("script", ["-qfec", `${JSON.stringify(process.execPath)} ${JSON.stringify(builtCli)} chat --url ${served.url}/v1 --max-tokens 2000`, "/dev/null"], {
      cwd: repositoryRoot,
      env: { ...cleanEnv(), TERM: "dumb", COLUMNS: "80", LINES: "24" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    child.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    const waitFor = async (pattern: RegExp, from = 0) => {
      const until = Date.now() + 15_000;
      while (!pattern.test(screen.slice(from))) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; screen so far:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await waitFor(/>>> /);
    child.stdin.write("Tell me a long story\r");
    await waitFor(/word word word/);
    const beforeStop = screen.length;
    child.stdin.write("\x03");
    await waitFor(/\[stopped\]/, beforeStop);
    await waitFor(/>>> /, beforeStop);
    expect(screen.slice(beforeStop).split("word").length).toBeLessThan(400);
    const beforeNext = screen.length;
    child.stdin.write("Hi\r");
    await waitFor(/Short answer\./, beforeNext);
    child.stdin.write("/bye\r");
    expect(await closed).toBe(0);
    // Not all 400 words were written: the answer really stopped.
    expect(screen.split("word ").length - 1).toBeLessThan(400);
  });
});
