/**
 * The judge's output constrained: a URL judge is asked with
 * `response_format: {type: "json_schema"}` and falls back cleanly to plain
 * requests when its endpoint refuses that (a 400 that the same request
 * without it does not get); a local judge generates under the reply's JSON
 * grammar (the REAL engine on the tiny stories260K chat twin, a model that
 * otherwise writes stories, not JSON; skipped visibly without it).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { askJudge, JudgeUnavailableError } from "../../src/ab/judge/judge-backend.js";
import { aspectScoresSchema, pairVerdictSchema } from "../../src/ab/judge/judge-output-schema.js";
import { pairwiseJudgePrompt } from "../../src/ab/judge/judge-prompts.js";
import { createLocalJudge } from "../../src/ab/judge/local-judge.js";
import { connectOpenAiJudge } from "../../src/ab/judge/openai-judge.js";
import { parseAspectScores, parsePairVerdict } from "../../src/ab/judge/parse-judgement.js";
import { startScoringRuntime } from "../../src/engine/llama-scoring-runtime.js";
import { chatModelPath, pairSuiteTitle, scoringSettings } from "../shift/support/shift-test-models.js";

interface Sent {
  body: Record<string, unknown>;
}

/** A fetch standing in for an endpoint: `reply` decides each response from the request body. */
function endpoint(reply: (body: Record<string, unknown>) => { status: number; json: unknown }) {
  const sent: Sent[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
    sent.push({ body });
    const { status, json } = reply(body);
    return new Response(JSON.stringify(json), { status, headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { sent, fetch };
}

const verdict = (content: string) => ({ status: 200, json: { choices: [{ message: { content } }] } });
const messages = pairwiseJudgePrompt([{ role: "user", content: "Hi" }], "Hello!", "Hey.");
const ask = { retries: 0, seed: 1, maxTokens: 64, schema: pairVerdictSchema };

describe("a URL judge's output", () => {
  it("is constrained with response_format json_schema where the endpoint takes it", async () => {
    const server = endpoint(() => verdict('{"reason": "friendlier", "winner": "A"}'));
    const judge = await connectOpenAiJudge({ url: "http://judge.test/v1", model: "m", fetch: server.fetch });
    expect(judge.outputConstraint).toBe("untried");
    expect(await askJudge(judge, messages, parsePairVerdict, ask)).toEqual({ ok: true, value: { winner: "A", reason: "friendlier" }, attempts: 1 });
    expect(judge.outputConstraint).toBe("json_schema");
    expect(server.sent[0]!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "pair_verdict", strict: true, schema: pairVerdictSchema.schema } });
  });

  it("falls back to plain requests for the rest of the run when the endpoint refuses response_format", async () => {
    const server = endpoint((body) =>
      body.response_format === undefined ? verdict('Sure: {"reason": "shorter", "winner": "B"}') : { status: 400, json: { error: { message: "response_format is not supported" } } },
    );
    const judge = await connectOpenAiJudge({ url: "http://judge.test/v1", model: "m", fetch: server.fetch });
    expect(await askJudge(judge, messages, parsePairVerdict, ask)).toMatchObject({ ok: true, value: { winner: "B" } });
    expect(await askJudge(judge, messages, parsePairVerdict, ask)).toMatchObject({ ok: true, value: { winner: "B" } });
    expect(judge.outputConstraint).toBe("none");
    // Refused once, then retried without it; the second judgement is not offered it again.
    expect(server.sent.map((request) => request.body.response_format === undefined)).toEqual([false, true, true]);
  });

  it("still stops the run when the request is refused either way", async () => {
    const server = endpoint(() => ({ status: 400, json: { error: { message: "the model does not exist" } } }));
    const judge = await connectOpenAiJudge({ url: "http://judge.test/v1", model: "m", fetch: server.fetch });
    await expect(askJudge(judge, messages, parsePairVerdict, ask)).rejects.toThrow(JudgeUnavailableError);
    await expect(askJudge(judge, messages, parsePairVerdict, ask)).rejects.toThrow(
      /refused the request \(HTTP 400: the model does not exist\) \(with response_format: HTTP 400: the model does not exist\)/,
    );
  });
});

describe.skipIf(!existsSync(chatModelPath))(pairSuiteTitle("a local judge's output under the JSON grammar (stories260K chat twin)"), () => {
  it("is JSON of the reply's shape even from a model that writes stories", async () => {
    const runtime = await startScoringRuntime({ threads: scoringSettings.threads, gpu: scoringSettings.gpu });
    try {
      const model = await runtime.loadModel({ modelPath: chatModelPath, contextSize: 2048, lanes: 1 });
      const judge = createLocalJudge(model, "stories260K-chat");
      // Unconstrained, the twin answers with a story: nothing to read.
      const free = await judge.complete({ system: messages.system, user: messages.user, temperature: 0, seed: 1, maxTokens: 40 });
      expect(() => parsePairVerdict(free)).toThrow();
      expect(judge.outputConstraint).toBe("untried");
      const pair = await askJudge(judge, messages, parsePairVerdict, { retries: 0, seed: 1, maxTokens: 300, schema: pairVerdictSchema });
      expect(pair.ok, JSON.stringify(pair)).toBe(true);
      expect(judge.outputConstraint).toBe("grammar");
      const scores = await askJudge(judge, messages, parseAspectScores, { retries: 0, seed: 1, maxTokens: 1500, schema: aspectScoresSchema });
      if (scores.ok) for (const entry of Object.values(scores.value)) expect([1, 2, 3, 4, 5]).toContain(entry.score);
      // Six reasons can outrun the budget; then the reply is a counted failure, never a wrong shape.
      else expect(scores.error).toMatch(/no JSON object|missing/);
    } finally {
      await runtime.dispose();
    }
  });
});
