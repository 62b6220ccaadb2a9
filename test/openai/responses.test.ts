import { describe, expect, it } from "vitest";
import type { GeneratedToken } from "../../src/engine/engine.js";
import { chatChunk, chatCompletion, chatUsageChunk, usageBody, type ResponseIdentity } from "../../src/openai/chat-response.js";
import { completionChunk, completionUsageChunk, textCompletion } from "../../src/openai/completion-response.js";
import { toChatLogprobEntries, toCompletionLogprobs } from "../../src/openai/logprobs.js";

const identity: ResponseIdentity = { id: "chatcmpl-1", created: 1_700_000_000, model: "urial", systemFingerprint: "fp_abc" };

function token(text: string, logprob: number, top: [string, number][] = []): GeneratedToken {
  return {
    id: 1,
    text,
    bytes: [...Buffer.from(text)],
    logprob,
    top: top.map(([choice, value]) => ({ text: choice, bytes: [...Buffer.from(choice)], logprob: value })),
  };
}

describe("usageBody", () => {
  it("totals prompt and completion tokens and reports cached tokens", () => {
    expect(usageBody(120, 30, 100)).toEqual({
      prompt_tokens: 120,
      completion_tokens: 30,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });
});

describe("chat chunks", () => {
  it("share id, created, model and fingerprint", () => {
    const chunks = [
      chatChunk(identity, 0, { role: "assistant", content: "" }, null, null, false),
      chatChunk(identity, 0, { content: "Hi" }, null, null, false),
      chatChunk(identity, 0, {}, "stop", null, false),
      chatUsageChunk(identity, usageBody(1, 2, 0)),
    ];
    for (const chunk of chunks) {
      expect(chunk.id).toBe("chatcmpl-1");
      expect(chunk.created).toBe(1_700_000_000);
      expect(chunk.model).toBe("urial");
      expect(chunk.system_fingerprint).toBe("fp_abc");
      expect(chunk.object).toBe("chat.completion.chunk");
    }
  });

  it("carry role only where it is passed", () => {
    const first = chatChunk(identity, 0, { role: "assistant", content: "" }, null, null, false);
    const later = chatChunk(identity, 0, { content: "Hi" }, null, null, false);
    expect(first.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(later.choices[0]!.delta).toEqual({ content: "Hi" });
    expect("role" in later.choices[0]!.delta).toBe(false);
  });

  it("render a whole chunk with finish reason and logprobs", () => {
    const entries = toChatLogprobEntries([token("Hi", -0.5)]);
    expect(chatChunk(identity, 1, { content: "Hi" }, "length", entries, false)).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "urial",
      system_fingerprint: "fp_abc",
      choices: [
        {
          index: 1,
          delta: { content: "Hi" },
          logprobs: { content: [{ token: "Hi", logprob: -0.5, bytes: [72, 105], top_logprobs: [] }], refusal: null },
          finish_reason: "length",
          stop_reason: null,
        },
      ],
    });
  });

  it("carry stop_reason only in the finishing chunk", () => {
    const middle = chatChunk(identity, 0, { content: "x" }, null, null, false, "ignored");
    expect("stop_reason" in middle.choices[0]!).toBe(false);
    const last = chatChunk(identity, 0, {}, "stop", null, false, "urial:repetition");
    expect(last.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop", stop_reason: "urial:repetition" });
  });

  it("carry usage: null only when usage was asked for", () => {
    expect(chatChunk(identity, 0, { content: "x" }, null, null, true).usage).toBeNull();
    expect("usage" in chatChunk(identity, 0, { content: "x" }, null, null, false)).toBe(false);
  });

  it("end with a usage chunk that has no choices", () => {
    const usage = usageBody(10, 5, 8);
    const chunk = chatUsageChunk(identity, usage);
    expect(chunk.choices).toEqual([]);
    expect(chunk.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 8 } });
  });
});

describe("chatCompletion", () => {
  it("numbers the choices, wraps logprobs and adds reasoning only when given", () => {
    const completion = chatCompletion(
      identity,
      [
        { content: "A", finishReason: "stop", stopReason: "END", logprobs: null },
        { content: "B", reasoning: "thinking", finishReason: "length", stopReason: null, logprobs: toChatLogprobEntries([token("B", -1)]) },
      ],
      usageBody(3, 2, 0),
    );
    expect(completion).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "urial",
      system_fingerprint: "fp_abc",
      choices: [
        { index: 0, message: { role: "assistant", content: "A", refusal: null }, logprobs: null, finish_reason: "stop", stop_reason: "END" },
        {
          index: 1,
          message: { role: "assistant", content: "B", refusal: null, reasoning_content: "thinking" },
          logprobs: { content: [{ token: "B", logprob: -1, bytes: [66], top_logprobs: [] }], refusal: null },
          finish_reason: "length",
          stop_reason: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect("reasoning_content" in completion.choices[0]!.message).toBe(false);
  });
});

describe("completion chunks", () => {
  const textIdentity = { ...identity, id: "cmpl-1" };

  it("share id, created and model, with text_completion objects", () => {
    const chunks = [completionChunk(textIdentity, 0, "Once", null, null, true), completionChunk(textIdentity, 0, "", "stop", null, true), completionUsageChunk(textIdentity, usageBody(4, 1, 0))];
    for (const chunk of chunks) {
      expect(chunk.id).toBe("cmpl-1");
      expect(chunk.created).toBe(1_700_000_000);
      expect(chunk.model).toBe("urial");
      expect(chunk.object).toBe("text_completion");
    }
    expect(chunks[0]!.choices).toEqual([{ index: 0, text: "Once", logprobs: null, finish_reason: null }]);
    expect(chunks[0]!.usage).toBeNull();
    expect(chunks[2]!.choices).toEqual([]);
    expect(chunks[2]!.usage).toEqual(usageBody(4, 1, 0));
  });

  it("leave usage out when it was not asked for", () => {
    expect("usage" in completionChunk(textIdentity, 0, "x", null, null, false)).toBe(false);
  });

  it("build the non-streaming text completion", () => {
    const logprobs = toCompletionLogprobs([token("x", -0.1)], 0);
    const completion = textCompletion(textIdentity, [{ text: "x", finishReason: "stop", logprobs }], usageBody(1, 1, 0));
    expect(completion.choices).toEqual([{ index: 0, text: "x", logprobs, finish_reason: "stop" }]);
    expect(completion.usage.total_tokens).toBe(2);
  });
});

describe("logprobs", () => {
  it("chat entries carry token, logprob, bytes and alternatives", () => {
    expect(
      toChatLogprobEntries([
        token("é", -0.25, [
          ["é", -0.25],
          ["e", -2],
        ]),
      ]),
    ).toEqual([
      {
        token: "é",
        logprob: -0.25,
        bytes: [195, 169],
        top_logprobs: [
          { token: "é", logprob: -0.25, bytes: [195, 169] },
          { token: "e", logprob: -2, bytes: [101] },
        ],
      },
    ]);
  });

  it("completion logprobs accumulate text_offset from the given start", () => {
    const logprobs = toCompletionLogprobs([token("Once", -0.1), token(" upon", -0.2), token(" a", -0.3)], 10);
    expect(logprobs).toEqual({
      tokens: ["Once", " upon", " a"],
      token_logprobs: [-0.1, -0.2, -0.3],
      top_logprobs: [{}, {}, {}],
      text_offset: [10, 14, 19],
    });
  });

  it("completion top_logprobs map each alternative once, keeping the best", () => {
    const logprobs = toCompletionLogprobs(
      [
        token("a", -0.1, [
          ["a", -0.1],
          ["b", -1],
          ["a", -3],
        ]),
      ],
      0,
    );
    expect(logprobs.top_logprobs).toEqual([{ a: -0.1, b: -1 }]);
  });

  it("completion logprobs of no tokens are empty lists", () => {
    expect(toCompletionLogprobs([], 5)).toEqual({ tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] });
  });
});
