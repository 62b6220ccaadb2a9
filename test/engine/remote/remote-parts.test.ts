/**
 * The remote engine's pure parts: the upstream URL, the SSE reader under any
 * network chunking, the completions chunk reader, the request body and the
 * token estimates.
 */
import { describe, expect, it } from "vitest";
import { parseCompletionChunk, upstreamErrorMessage } from "../../../src/engine/remote/completion-chunk.js";
import { completionRequestBody } from "../../../src/engine/remote/completion-request-body.js";
import { SseDataReader } from "../../../src/engine/remote/sse-data-reader.js";
import { estimateTokenCount, lowTokenEstimate } from "../../../src/engine/remote/token-count.js";
import { parseUpstreamUrl } from "../../../src/engine/remote/upstream-url.js";
import { greedy } from "../../support/test-model.js";

describe("parseUpstreamUrl", () => {
  it("finds the /v1 base and the root, with or without /v1 and slashes", () => {
    expect(parseUpstreamUrl("http://10.0.0.5:8000")).toEqual({ v1: "http://10.0.0.5:8000/v1", root: "http://10.0.0.5:8000" });
    expect(parseUpstreamUrl("http://vllm:8000/v1/")).toEqual({ v1: "http://vllm:8000/v1", root: "http://vllm:8000" });
    expect(parseUpstreamUrl("https://gw.example.com/team/llm/v1")).toEqual({ v1: "https://gw.example.com/team/llm/v1", root: "https://gw.example.com/team/llm" });
  });

  it("refuses what cannot name an upstream, never echoing credentials", () => {
    expect(() => parseUpstreamUrl("vllm:8000")).toThrow("must be an http:// or https:// URL");
    expect(() => parseUpstreamUrl("not a url")).toThrow("is not a URL");
    expect(() => parseUpstreamUrl("http://h/v1?x=1")).toThrow("query");
    expect(() => parseUpstreamUrl("http://me:hunter2@h/v1")).toThrow("must not carry credentials");
    expect(() => parseUpstreamUrl("http://me:hunter2@h/v1")).not.toThrow("hunter2");
  });
});

describe("SseDataReader", () => {
  const stream = 'data: {"a":"é"}\n\n: keep-alive comment\n\nevent: message\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n';

  it("gives the same payloads whatever the chunking, a UTF-8 character split included", () => {
    const bytes = Buffer.from(stream, "utf8");
    const expected = ['{"a":"é"}', "line one\nline two", "[DONE]"];
    for (const size of [1, 2, 3, 5, 7, bytes.length]) {
      const reader = new SseDataReader();
      const payloads: string[] = [];
      for (let start = 0; start < bytes.length; start += size) payloads.push(...reader.push(bytes.subarray(start, start + size)));
      payloads.push(...reader.finish());
      expect(payloads, `pieces of ${size} bytes`).toEqual(expected);
    }
  });

  it("reads CRLF and CR line ends, and a last event without its blank line at the end", () => {
    const reader = new SseDataReader();
    // A CR at the very end may be half of a CRLF: the event it closes comes with the next bytes.
    expect(reader.push(Buffer.from("data: a\r\n\r\ndata: b\r\r"))).toEqual(["a"]);
    expect(reader.push(Buffer.from("data: c"))).toEqual(["b"]);
    expect(reader.finish()).toEqual(["c"]);
  });
});

describe("parseCompletionChunk", () => {
  it("reads text, finish reason, usage with cached tokens, and legacy logprobs", () => {
    expect(parseCompletionChunk(JSON.stringify({ choices: [{ index: 0, text: "Hi", finish_reason: null, logprobs: null }] }))).toEqual({
      type: "chunk",
      text: "Hi",
      finishReason: null,
      usage: null,
      tokens: null,
    });
    const last = parseCompletionChunk(
      JSON.stringify({
        choices: [{ text: "!", finish_reason: "length", logprobs: { tokens: ["!"], token_logprobs: [-0.5], top_logprobs: [{ "!": -0.5, "?": -2 }], text_offset: [0] } }],
        usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } },
      }),
    );
    expect(last).toEqual({
      type: "chunk",
      text: "!",
      finishReason: "length",
      usage: { promptTokens: 9, completionTokens: 3, cachedTokens: 4 },
      tokens: [
        {
          text: "!",
          logprob: -0.5,
          top: [
            { text: "!", logprob: -0.5 },
            { text: "?", logprob: -2 },
          ],
        },
      ],
    });
    expect(parseCompletionChunk(JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }))).toMatchObject({ text: "", usage: { cachedTokens: null } });
  });

  it("keeps the text of a chunk whose logprobs have another shape", () => {
    expect(parseCompletionChunk(JSON.stringify({ choices: [{ text: "x", logprobs: { content: [] } }] }))).toMatchObject({ text: "x", tokens: null });
  });

  it("reads an error event, and refuses what is no completions chunk", () => {
    expect(parseCompletionChunk('{"error":{"message":"out of memory","code":500}}')).toEqual({ type: "error", message: "out of memory" });
    expect(parseCompletionChunk('{"error":"plain"}')).toEqual({ type: "error", message: "plain" });
    for (const garbage of ["<html>", "{}", '{"choices":"x"}', '{"choices":[{"text":5}]}', "[1,2]", "null"]) expect(parseCompletionChunk(garbage), garbage).toBeUndefined();
  });
});

describe("upstreamErrorMessage", () => {
  it("takes an OpenAI error's message, else the text, shortened", () => {
    expect(upstreamErrorMessage('{"error":{"message":"bad model","type":"x"}}')).toBe("bad model");
    expect(upstreamErrorMessage('{"object":"error","message":"no","error":"vllm says no"}')).toBe("vllm says no");
    expect(upstreamErrorMessage("Internal Server Error")).toBe("Internal Server Error");
    expect(upstreamErrorMessage("")).toBe("(empty body)");
    expect(upstreamErrorMessage("x".repeat(1000)).length).toBe(301);
  });
});

describe("completionRequestBody", () => {
  it("spells out every sampling setting and asks for a stream with usage, but no stop strings", () => {
    const body = completionRequestBody("m", "prompt text", 30, { maxTokens: 99, sampling: { ...greedy, seed: 5, repeatPenalty: 1.1, penaltyLastTokens: 64 } });
    expect(body).toEqual({
      model: "m",
      prompt: "prompt text",
      max_tokens: 30,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      top_p: 1,
      top_k: 0,
      min_p: 0,
      repetition_penalty: 1.1,
      presence_penalty: 0,
      frequency_penalty: 0,
      repeat_penalty: 1.1,
      repeat_last_n: 64,
      seed: 5,
    });
  });

  it("asks for 1–5 logprobs when they were requested", () => {
    const options = { maxTokens: 1, sampling: greedy };
    expect(completionRequestBody("m", "p", 1, { ...options, topLogprobs: 0 }).logprobs).toBe(1);
    expect(completionRequestBody("m", "p", 1, { ...options, topLogprobs: 3 }).logprobs).toBe(3);
    expect(completionRequestBody("m", "p", 1, { ...options, topLogprobs: 20 }).logprobs).toBe(5);
    expect(completionRequestBody("m", "p", 1, options)).not.toHaveProperty("logprobs");
  });
});

describe("token estimates", () => {
  it("counts one token per 4 bytes (the estimate) and per 32 bytes (the low one), at least 1", () => {
    expect(estimateTokenCount("")).toBe(1);
    expect(estimateTokenCount("abcdefgh")).toBe(2);
    expect(estimateTokenCount("日本")).toBe(2);
    expect(lowTokenEstimate("a".repeat(64))).toBe(2);
    expect(lowTokenEstimate("a".repeat(65))).toBe(3);
    expect(lowTokenEstimate("")).toBe(1);
  });
});
