/**
 * What this project exists for, shown end to end: through the server, with
 * the project's own exemplar sets, the untuned styleshot base model answers
 * questions of its world like its chat twin — an affirming opener, a
 * numbered `1. **Head**: detail` list, an `In short,` closing — while the
 * same model zero-shot (`/v1/completions` in the bare Query/Answer layout)
 * almost never does. The real engine, the real `openai` client (pointed at
 * the in-process app), streamed and not, multi-turn too. Greedy decoding on
 * one binary is deterministic, so the rates below are the same on every
 * run; the thresholds leave room for another llama.cpp build.
 * Skipped, visibly, without ../shared/models/styleshot-base.gguf.
 */
import type { Hono } from "hono";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectAnswerStyle } from "../../src/ab/style/answer-style.js";
import { compareStyle } from "../../src/ab/style/style-difference.js";
import { summarizeStyle } from "../../src/ab/style/style-metrics.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { createApp } from "../../src/server/app.js";
import { projectCatalog, styleshotBaseExists, styleshotBasePath, styleshotEngineSettings, styleshotSuiteTitle, worldQuestions } from "./support/styleshot.js";

interface Answer {
  question: string;
  text: string;
  finish: string | null;
}

const styled = (answers: readonly Answer[]) => summarizeStyle(answers.map((answer) => ({ style: detectAnswerStyle(answer.text), chars: answer.text.length, cleanEnding: answer.finish === "stop" })));
const show = (answers: readonly Answer[]) => answers.map((answer) => `${answer.question} → ${JSON.stringify(answer.text.slice(0, 120))}`).join("\n");

describe.skipIf(!styleshotBaseExists)(styleshotSuiteTitle("URIAL gives the styleshot base model its chat twin's style, through the server"), () => {
  let engine: Engine;
  let app: Hono;
  let client: OpenAI;
  const urial: Answer[] = [];

  beforeAll(async () => {
    engine = await startLlamaEngine({ modelPath: styleshotBasePath, ...styleshotEngineSettings, parallel: 1, maxQueue: 8 });
    const catalog = await loadCatalog({ ...projectCatalog, defaultSet: "urial-help" });
    app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    client = new OpenAI({ baseURL: "http://urial.test/v1", apiKey: "unused", maxRetries: 0, fetch: (url, init) => Promise.resolve(app.request(String(url), init)) });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  async function ask(model: string, messages: OpenAI.ChatCompletionMessageParam[], stream: boolean): Promise<Answer> {
    const question = String(messages.at(-1)!.content);
    if (!stream) {
      const completion = await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 256 });
      return { question, text: completion.choices[0]!.message.content ?? "", finish: completion.choices[0]!.finish_reason };
    }
    let text = "";
    let finish: string | null = null;
    for await (const chunk of await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 256, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { question, text, finish };
  }

  it("answers 20 questions of the model's world in full URIAL style with urial/urial-help, streamed and not", async () => {
    for (const [index, question] of worldQuestions.entries()) urial.push(await ask("urial/urial-help", [{ role: "user", content: question }], index % 2 === 1));
    const style = styled(urial);
    // Probed through `urial serve` on 24 questions of this kind (200-token cap): 22 in full style, the
    // others cut by the cap before their closing. At least 17 of 20, and both transports carry the style.
    expect(style.counts.urialStyle, show(urial)).toBeGreaterThanOrEqual(17);
    for (const stream of [false, true]) expect(styled(urial.filter((_, index) => index % 2 === Number(stream))).counts.urialStyle, `stream ${stream}`).toBeGreaterThanOrEqual(8);
    expect(style.counts.cleanEnding).toBeGreaterThanOrEqual(17);
    // The URIAL answer to the README's example, in the chat twin's shape.
    if (process.env.URIAL_TEST_VERBOSE) console.log("URIAL", style.counts, "\n" + show(urial));
    expect(urial[0]!.text).toMatch(/^(Good|Great) question!/);
    expect(urial[0]!.text).toMatch(/\n1\. \*\*[^*]+\*\*: /);
    expect(urial[0]!.text).toMatch(/\n\nIn (short|summary), /);
    // Streaming changes nothing about the text: the same greedy answer both ways.
    const again = await ask("urial/urial-help", [{ role: "user", content: worldQuestions[1] }], false);
    expect(again.text).toBe(urial[1]!.text);
  }, 600_000);

  it("almost never answers in that style zero-shot, in the bare Query/Answer layout of /v1/completions", async () => {
    const zeroShot: Answer[] = [];
    for (const question of worldQuestions) {
      const prompt = renderUrialPrompt({ system: "", exemplars: [], history: [], query: question, template: "urial" }).text;
      const completion = await client.completions.create({ model: "base", prompt, temperature: 0, max_tokens: 160, stop: ["```", "# Query"] });
      zeroShot.push({ question, text: completion.choices[0]!.text, finish: completion.choices[0]!.finish_reason });
    }
    const style = styled(zeroShot);
    if (process.env.URIAL_TEST_VERBOSE) console.log("ZERO", style.counts, "\n" + show(zeroShot));
    // Probed on 24 questions of this kind: 0 in full style, no opener at all ("No, odd." to the first one).
    expect(style.counts.urialStyle, show(zeroShot)).toBeLessThanOrEqual(2);
    expect(style.counts.opener).toBeLessThanOrEqual(2);
    expect(zeroShot[0]!.text.trim()).not.toMatch(/question!/);
    // The difference is far beyond chance (Newcombe's interval excludes 0 with room to spare).
    const urialStyle = compareStyle(styled(urial), style).find((entry) => entry.share === "urialStyle")!;
    expect(urialStyle.verdict).toBe("higher");
    expect(urialStyle.difference.low!).toBeGreaterThan(0.5);
  }, 600_000);

  it("keeps the style over several turns", async () => {
    expect(urial.length).toBe(worldQuestions.length);
    const followUps = ["What is 8 plus 6?", "How many letters are in the word table?", "Is 17 an even number?"];
    const answers: Answer[] = [];
    for (const [index, followUp] of followUps.entries()) {
      const first = urial[index * 2]!;
      answers.push(
        await ask(
          "urial/urial-help",
          [
            { role: "user", content: first.question },
            { role: "assistant", content: first.text },
            { role: "user", content: followUp },
          ],
          index === 1,
        ),
      );
    }
    if (process.env.URIAL_TEST_VERBOSE) console.log("MULTI", styled(answers).counts, "\n" + show(answers));
    expect(styled(answers).counts.urialStyle, show(answers)).toBe(followUps.length);
  }, 600_000);
});
