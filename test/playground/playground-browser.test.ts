/**
 * The playground in real headless Chromium against a real `urial serve` on
 * the styleshot pair (a base that learns URIAL style in context, and its chat
 * twin), with an API key: one server and one browser for the whole file.
 * Every state is saved as a screenshot under test-artifacts/playground/.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSuiteTitle, chromiumExists, launchChromium } from "../shift/support/chromium.js";
import { startServeProcess, type ServeProcess } from "../support/start-serve-process.js";
import { parsePrometheusText, sampleValue } from "../support/prometheus-text.js";

const fromRepository = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const basePath = process.env.URIAL_TEST_STYLESHOT_BASE ? resolve(process.env.URIAL_TEST_STYLESHOT_BASE) : fromRepository("../shared/models/styleshot-base.gguf");
const chatPath = process.env.URIAL_TEST_STYLESHOT_CHAT ? resolve(process.env.URIAL_TEST_STYLESHOT_CHAT) : fromRepository("../shared/models/styleshot-chat.gguf");
const modelsExist = existsSync(basePath) && existsSync(chatPath);
const artifacts = fromRepository("test-artifacts/playground");
const apiKey = "playground-test-key";

function suiteTitle(title: string): string {
  if (!modelsExist) {
    console.warn(`[skipped] ${title}: no styleshot pair at ${basePath} / ${chatPath} (set URIAL_TEST_STYLESHOT_BASE and URIAL_TEST_STYLESHOT_CHAT)`);
    return `${title} — SKIPPED: no styleshot models at ${basePath} (set URIAL_TEST_STYLESHOT_BASE / _CHAT)`;
  }
  return browserSuiteTitle(title);
}

/** `urial serve` on a free port with the pair, a key and a votes log; resolves once /v1/shift is ready. */
function startServer(dir: string): Promise<ServeProcess> {
  const args = ["--model", basePath, "--chat-model", chatPath, "--threads", "1", "--gpu", "off", "--parallel", "2"];
  args.push("--exemplars", "urial-1shot", "--api-key", apiKey, "--votes-log", join(dir, "votes.jsonl"), "--prefix-cache-dir", join(dir, "prefix-states"), "--log-format", "json");
  return startServeProcess(args, { readyPattern: /POST \/v1\/shift ready/, readyTimeoutMs: 230_000 });
}

describe.skipIf(!chromiumExists || !modelsExist)(suiteTitle("the playground in headless Chromium on a real urial serve"), () => {
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const problems: string[] = [];
  const requested: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const assistantMessages = () => page.locator("#chat-log .message.assistant");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "urial-playground-"));
    await mkdir(artifacts, { recursive: true });
    [server, browser] = await Promise.all([startServer(dir), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (message) => {
      // The 401 before the key is given and the 400 of the error test are the test's own doing; the browser logs those fetches.
      if (message.type() === "error" && !/status of 40[01]/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("request", (request) => requested.push(request.url()));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.child.kill("SIGCONT");
      server.child.kill("SIGTERM");
      await server.exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("serves the page at / and /playground, and shows the API's own 401 message until a key is given", async () => {
    const playground = await fetch(`${server.base}/playground`);
    expect(playground.status).toBe(200);
    expect(playground.headers.get("content-security-policy")).toContain("default-src 'none'");
    await page.goto(`${server.base}/`);
    await expect.poll(() => page.locator("#global-error").textContent()).toMatch(/missing_api_key \(401\): .+/);
    await shot("01-needs-api-key");
    await page.locator("#api-key").fill(apiKey);
    await page.locator("#api-key").press("Enter");
    await expect.poll(() => page.locator("#server-status").textContent()).toMatch(/styleshot-base .*chat model loaded/);
    expect(await page.locator("#global-error").isHidden()).toBe(true);
    // The key stays in this tab's session storage, never in the address.
    expect(await page.evaluate('sessionStorage.getItem("urial-playground-api-key")')).toBe(apiKey);
    expect(page.url()).not.toContain(apiKey);
    expect(await page.locator("#api-key").inputValue()).toBe("");
    // It opens on the side-by-side view.
    expect(await page.locator("#compare-panel").isVisible()).toBe(true);
    await page.locator("#tab-compare").press("ArrowLeft");
    expect(await page.locator("#chat-panel").isVisible()).toBe(true);
    expect(await page.locator("#chat-model option").allTextContents()).toEqual(expect.arrayContaining(["base — zero-shot, URIAL layout", "chat — the chat model, its own template"]));
    expect(await page.locator("#chat-set").textContent()).toMatch(/^urial-1shot@\d/);
  });

  it("chats two turns through URIAL, showing the exact rendered prompt of the next request", async () => {
    await page.locator("#chat-max-tokens").fill("48");
    await page.locator("#chat-show-prompt").check();
    await page.locator("#chat-input").fill("Is 205 an even number?");
    await expect.poll(() => page.locator("#chat-prompt-text").textContent()).toContain("Is 205 an even number?");
    const preview = (await page.locator("#chat-prompt-text").textContent())!;
    expect(preview.endsWith("# Answer:\n```\n")).toBe(true);
    expect(await page.locator("#chat-prompt-text .shared").count()).toBeGreaterThan(0);
    await page.locator("#chat-input").press("Enter");
    await expect.poll(() => page.locator("#chat-send").isEnabled(), { timeout: 100_000 }).toBe(true);
    const first = (await assistantMessages().nth(0).locator(".text").textContent())!;
    expect(first.length).toBeGreaterThan(0);
    expect(await assistantMessages().nth(0).locator(".meta").textContent()).toMatch(/\d+ prompt tokens \(\d+ cached\) · \d+ answer tokens · first token/);
    // After the turn, the preview holds the first exchange as history and a placeholder query.
    await expect.poll(() => page.locator("#chat-prompt-text").textContent()).toContain(first);
    expect(await page.locator("#chat-prompt-text").textContent()).toContain("(your next message)");
    expect(await page.locator("#chat-prompt-summary").textContent()).toMatch(/^urial: [\d,]+ of 4,096 context tokens · exemplar set urial-1shot@/);
    await page.locator("#chat-input").fill("And is 210 even?");
    await page.locator("#chat-send").click();
    await expect.poll(() => assistantMessages().count()).toBe(2);
    await expect.poll(() => page.locator("#chat-send").isEnabled(), { timeout: 100_000 }).toBe(true);
    expect((await assistantMessages().nth(1).locator(".text").textContent())!.length).toBeGreaterThan(0);
    expect(await page.locator("#chat-error").isHidden()).toBe(true);
    // The second request carried the first turn: its prompt (asked the same way) holds both queries.
    const prompt = await page.evaluate(async (key) => {
      const response = await fetch("/v1/chat/prompt", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({
          model: "urial",
          messages: [
            { role: "user", content: "a" },
            { role: "assistant", content: "b" },
            { role: "user", content: "c" },
          ],
        }),
      });
      return (await response.json()) as { prompt: string; prefix_length: number };
    }, apiKey);
    expect(prompt.prompt.slice(prompt.prefix_length)).toBe("# Query:\n```\na\n```\n\n# Answer:\n```\nb\n```\n\n# Query:\n```\nc\n```\n\n# Answer:\n```\n");
    await shot("02-chat-two-turns-with-prompt");
  }, 240_000);

  it("stops a stream: the page marks the answer stopped and the server ends the generation", async () => {
    await page.locator("#chat-new").click();
    await page.locator("#chat-show-prompt").uncheck();
    await page.locator("#chat-model").selectOption("urial");
    await page.locator("#chat-max-tokens").fill("400");
    const streamed = assistantMessages().last().locator(".text");
    // Freeze the server as soon as text arrives, so the answer cannot finish before Stop is pressed.
    let frozen = false;
    for (let attempt = 0; attempt < 3 && !frozen; attempt += 1) {
      await page.locator("#chat-input").fill(`Is ${301 + 2 * attempt} an even number?`);
      await page.locator("#chat-input").press("Enter");
      await expect.poll(async () => ((await streamed.textContent()) ?? "").length, { timeout: 100_000, interval: 10 }).toBeGreaterThan(0);
      server.child.kill("SIGSTOP");
      frozen = (await assistantMessages().last().getAttribute("class"))!.includes("streaming");
      if (!frozen) server.child.kill("SIGCONT");
    }
    expect(frozen).toBe(true);
    const requestsBefore = server
      .stdout()
      .split("\n")
      .filter((line) => line.includes('"path":"/v1/chat/completions"')).length;
    expect(await page.locator("#chat-stop").isVisible()).toBe(true);
    await shot("03-streaming");
    await page.locator("#chat-stop").click();
    server.child.kill("SIGCONT");
    await expect.poll(() => page.locator("#chat-send").isEnabled()).toBe(true);
    expect(await assistantMessages().last().locator(".meta").textContent()).toMatch(/stopped/);
    // The server logs the request once its response is over: far fewer tokens than the answer would have had.
    const line = await (async () => {
      for (let waited = 0; waited < 100; waited += 1) {
        const lines = server
          .stdout()
          .split("\n")
          .filter((each) => each.includes('"path":"/v1/chat/completions"'));
        if (lines.length > requestsBefore) return JSON.parse(lines[lines.length - 1]!) as { completion_tokens: number; status: number };
        await new Promise((done) => setTimeout(done, 100));
      }
      throw new Error("the stopped request was never logged");
    })();
    expect(line.completion_tokens).toBeLessThan(400);
    const busy = async () => sampleValue(parsePrometheusText(await (await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })).text()), "urial_busy_sequences");
    await expect.poll(busy).toBe(0);
    await shot("04-stopped");
  }, 240_000);

  it("answers one query in three columns (zero-shot, URIAL, chat model), votes, and tallies the votes", async () => {
    await page.locator("#tab-compare").click();
    const pickers = page.locator("#compare-pickers select");
    expect(await pickers.evaluateAll((selects) => selects.map((select) => (select as unknown as { value: string }).value))).toEqual(["base", "urial", "chat"]);
    await page.locator("#compare-max-tokens").fill("120");
    await page.locator("#compare-query").fill("Is 205 an even number?");
    await page.locator("#compare-query").press("Control+Enter");
    const columns = page.locator("#compare-columns .column");
    await expect.poll(() => columns.count()).toBe(3);
    await expect.poll(() => page.locator("#compare-run").isEnabled(), { timeout: 100_000 }).toBe(true);
    expect(await columns.locator(".badge").allTextContents()).toEqual([expect.stringMatching(/^zero-shot@1$/), expect.stringMatching(/^urial-1shot@/), "chat model"]);
    for (let index = 0; index < 3; index += 1) {
      expect((await columns.nth(index).locator(".answer").textContent())!.length).toBeGreaterThan(0);
      expect(await columns.nth(index).locator(".meta").textContent()).toMatch(/\d+ prompt tokens \(\d+ cached\) · \d+ answer tokens · first token .* · total /);
    }
    expect(await page.locator("#compare-columns .error").count()).toBe(0);
    const rows = page.locator("#vote-rows .vote-row");
    expect(await rows.count()).toBe(3);
    await rows.nth(0).locator('button[data-winner="b"]').click();
    await expect.poll(() => rows.nth(0).locator(".vote-state").textContent()).toBe("saved");
    await rows.nth(2).locator('button[data-winner="tie"]').click();
    await expect.poll(() => rows.nth(2).locator(".vote-state").textContent()).toBe("saved");
    const tally = page.locator("#tally-table tbody tr");
    await expect.poll(() => tally.count()).toBe(2);
    const cells = await tally.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    expect(cells).toContainEqual([expect.stringMatching(/^base · zero-shot@1$/), expect.stringMatching(/^urial · urial-1shot@/), "0", "0", "1", "1"]);
    expect(cells).toContainEqual([expect.stringMatching(/^chat · chat model$/), expect.stringMatching(/^urial · urial-1shot@/), "0", "1", "0", "1"]);
    const log = (await readFile(join(dir, "votes.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { winner: string; a: { model: string; request_id: string }; query: string });
    expect(log.map((vote) => [vote.a.model, vote.winner])).toEqual([
      ["base", "b"],
      ["urial", "tie"],
    ]);
    expect(log[0]!.a.request_id).toMatch(/^req_/);
    expect(log[0]!.query).toBe("Is 205 an even number?");
    await shot("05-compare-three-columns-voted");
  }, 240_000);

  it("shows the chat answer's tokens coloured by the base model's rank, zero-shot and under URIAL, with top-k tables on click", async () => {
    await page.locator("#compare-columns .column").nth(2).locator("button.link").click();
    await expect.poll(() => page.locator("#shift-panel").isVisible()).toBe(true);
    await expect.poll(() => page.locator("#shift-result").isVisible(), { timeout: 100_000 }).toBe(true);
    const zeroShot = page.locator('.shift-column[data-context="zeroShot"] .t');
    const urial = page.locator('.shift-column[data-context="urial"] .t');
    const count = await zeroShot.count();
    expect(count).toBeGreaterThan(5);
    expect(await urial.count()).toBe(count);
    expect(await page.locator("#shift-summary").textContent()).toMatch(/^\d+ answer tokens.*: shifted \d+ % zero-shot vs \d+ % with URIAL/);
    // The colours follow the ranks /v1/shift returned for the same answer.
    const answer = await page.locator("#shift-answer").inputValue();
    const shift = (await (
      await fetch(`${server.base}/v1/shift`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: "Is 205 an even number?", answer, exemplars: "urial-1shot", max_tokens: 128 }),
      })
    ).json()) as { prompts: { positions: { zeroShot: { category: string }; urial: { category: string } }[] }[] };
    const classes = async (tokens: typeof zeroShot) =>
      tokens.evaluateAll((elements) => elements.map((element) => ["unshifted", "marginal", "shifted"].find((name) => element.classList.contains(name))));
    expect(await classes(zeroShot)).toEqual(shift.prompts[0]!.positions.map((position) => position.zeroShot.category));
    expect(await classes(urial)).toEqual(shift.prompts[0]!.positions.map((position) => position.urial.category));
    await urial.nth(1).click();
    await expect.poll(() => page.locator("#shift-details").isVisible()).toBe(true);
    expect(await page.locator("#shift-details table").count()).toBe(3);
    expect(await page.locator("#shift-details caption").allTextContents()).toEqual([
      "chat model",
      expect.stringMatching(/^base, zero-shot \(η = \d+\)$/),
      expect.stringMatching(/^base, URIAL \(η = \d+\)$/),
    ]);
    expect(await page.locator("#shift-details tr.answer").count()).toBeGreaterThan(0);
    await shot("06-token-shift");
  }, 240_000);

  it("shows an API error as the API's message, and stays usable on a narrow screen", async () => {
    await page.locator("#shift-details-close").click();
    await page.locator("#tab-chat").click();
    await page.locator("#chat-model").selectOption("urial/urial-help");
    await page.locator("#chat-max-tokens").fill("5000");
    await page.locator("#chat-input").fill("Hello?");
    await page.locator("#chat-input").press("Enter");
    const failed = assistantMessages().last().locator(".meta");
    await expect.poll(() => failed.textContent()).toMatch(/^(max_tokens_too_large|context_length_exceeded) \(400\) \[(max_tokens|messages)\]: .+/);
    expect(await failed.getAttribute("role")).toBe("alert");
    await shot("07-api-error");
    await page.setViewportSize({ width: 380, height: 800 });
    // Nothing sticks out of a phone-wide window (each offender named, if any).
    const offenders = () =>
      page.evaluate<string[]>(`[...document.querySelectorAll("body *")]
        .filter((element) => element.getClientRects().length > 0 && element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + "." + [...element.classList].join(".") + " " + JSON.stringify((element.textContent || "").slice(0, 40)))`);
    expect(await offenders()).toEqual([]);
    await shot("08-narrow-chat");
    await page.locator("#tab-compare").click();
    expect(await offenders()).toEqual([]);
    await shot("09-narrow-compare");
    await page.locator("#tab-shift").click();
    expect(await offenders()).toEqual([]);
    await shot("10-narrow-shift");
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);

  it("loaded nothing from another origin and logged no errors", () => {
    expect(requested.filter((url) => !url.startsWith(server.base))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
