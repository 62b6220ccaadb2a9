/**
 * The playground's pure client modules (plain ES modules served as they are),
 * run here in Node: stream parsing, answer state, vote tally, shift colouring,
 * prompt pieces and error lines.
 */
import { describe, expect, it } from "vitest";
import { PlaygroundApiError, describeError, errorFromResponse } from "../../playground/api-error.js";
import { applyChunk, describeAnswer, emptyAnswer, formatSeconds } from "../../playground/chat-answer.js";
import { chatMessages, draftPlaceholder, previewMessages, promptPieces, promptSummary } from "../../playground/prompt-view.js";
import { splitLine, tokenCategory, topTables, visibleTokenText, type Position } from "../../playground/shift-view.js";
import { createSseParser, interpretEventData } from "../../playground/sse.js";
import { columnPairs, describeRow, sideLabel, tallyVotes } from "../../playground/tally.js";

describe("sse", () => {
  const stream = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":\ndata: 2}\n\ndata: [DONE]\n\n';

  it("gives the same events whatever the chunking, with LF, CRLF or CR line ends", () => {
    for (const ending of ["\n", "\r\n", "\r"]) {
      const text = stream.replace(/\n/g, ending);
      for (const size of [1, 2, 3, 7, text.length]) {
        const parser = createSseParser();
        const events: string[] = [];
        for (let at = 0; at < text.length; at += size) events.push(...parser.push(text.slice(at, at + size)));
        expect(events, `${JSON.stringify(ending)} in chunks of ${size}`).toEqual(['{"a":1}', '{"b":\n2}', "[DONE]"]);
      }
    }
  });

  it("holds an event back until its blank line arrives, and ignores other fields", () => {
    const parser = createSseParser();
    expect(parser.push("event: x\nid: 3\ndata: one")).toEqual([]);
    expect(parser.push("\n")).toEqual([]);
    expect(parser.push("\n")).toEqual(["one"]);
    expect(parser.push("data:no-space\n\n")).toEqual(["no-space"]);
  });

  it("reads [DONE], chunks, the API's in-stream error, and data that is not JSON", () => {
    expect(interpretEventData("[DONE]")).toEqual({ type: "done" });
    expect(interpretEventData('{"choices":[]}')).toEqual({ type: "chunk", chunk: { choices: [] } });
    expect(interpretEventData('{"error":{"message":"Request timed out.","type":"timeout_error","param":null,"code":"request_timeout"}}')).toEqual({
      type: "error",
      error: { message: "Request timed out.", type: "timeout_error", param: null, code: "request_timeout" },
    });
    const garbage = interpretEventData("<html>");
    expect(garbage.type).toBe("error");
    expect(garbage.type === "error" && garbage.error.message).toBe("The stream sent data that is not JSON: <html>");
  });
});

describe("chat-answer", () => {
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({ system_fingerprint: "fp_x", choices: [{ index: 0, delta, finish_reason: finish, ...extra }] });

  it("folds a stream into text, ending, usage and timings", () => {
    let state = emptyAnswer(1000);
    state = applyChunk(state, chunk({ role: "assistant", content: "" }), 1100);
    expect(state.firstTokenAt).toBeNull();
    state = applyChunk(state, chunk({ content: "Hel" }), 1200);
    state = applyChunk(state, chunk({ content: "lo" }), 1300);
    state = applyChunk(state, chunk({}, "length", { stop_reason: null }), 1400);
    state = applyChunk(state, { choices: [], usage: { prompt_tokens: 50, completion_tokens: 2, total_tokens: 52, prompt_tokens_details: { cached_tokens: 40 } } }, 1500);
    expect(state).toMatchObject({ content: "Hello", finishReason: "length", firstTokenAt: 1200, fingerprint: "fp_x" });
    expect(describeAnswer({ ...state, endedAt: 3500 })).toBe("50 prompt tokens (40 cached) · 2 answer tokens · first token 200 ms · total 2.50 s · cut at max tokens");
  });

  it("keeps the experiment a chunk names, and says when the user stopped the answer", () => {
    const state = applyChunk(emptyAnswer(0), { ...chunk({ content: "x" }), urial_experiment: { id: "exp", variant: "B" } }, 5);
    expect(state.experiment).toEqual({ id: "exp", variant: "B" });
    expect(describeAnswer({ ...state, stopReason: "stopped", endedAt: 20 })).toBe("first token 5 ms · total 20 ms · stopped");
    expect(formatSeconds(12_345)).toBe("12.3 s");
  });
});

describe("tally", () => {
  it("offers every pair of columns once, in reading order", () => {
    expect(columnPairs(2)).toEqual([[0, 1]]);
    expect(columnPairs(4)).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    expect(columnPairs(1)).toEqual([]);
  });

  it("merges (A, B) with (B, A), credits the right side, and splits by exemplar-set version", () => {
    const base = { model: "base", exemplar_set: "zero-shot@1" };
    const help1 = { model: "urial", exemplar_set: "urial-help@1.0.0" };
    const help2 = { model: "urial", exemplar_set: "urial-help@1.1.0" };
    const rows = tallyVotes([
      { a: base, b: help1, winner: "b" },
      { a: help1, b: base, winner: "a" },
      { a: help1, b: base, winner: "tie" },
      { a: base, b: help1, winner: "a" },
      { a: base, b: help2, winner: "b" },
    ]);
    expect(rows).toEqual([
      { first: "base · zero-shot@1", second: "urial · urial-help@1.0.0", firstWins: 1, secondWins: 2, ties: 1, total: 4 },
      { first: "base · zero-shot@1", second: "urial · urial-help@1.1.0", firstWins: 0, secondWins: 1, ties: 0, total: 1 },
    ]);
    expect(describeRow(rows[0]!)).toBe("25 % – 50 % (25 % ties)");
    expect(sideLabel({ model: "chat" })).toBe("chat");
  });
});

describe("shift-view", () => {
  const score = (rank: number, top: { id: number; text: string; probability: number }[] = []) => ({ rank, probability: 0.5, top });
  const position = (rank: number, text = "a"): Position => ({ position: 1, tokenId: 7, text, special: false, chat: score(1), zeroShot: score(rank), urial: score(1) });

  it("colours by the base rank with the categories of urial shift (1 / 2–3 / > 3)", () => {
    expect([1, 2, 3, 4, 50].map((rank) => tokenCategory(position(rank), "zeroShot"))).toEqual(["unshifted", "marginal", "marginal", "shifted", "shifted"]);
    expect(tokenCategory(position(9), "urial")).toBe("unshifted");
    expect(splitLine([position(1), position(2), position(5), position(9)], "zeroShot").text).toBe("base, zero-shot: 25 % unshifted, 25 % marginal, 50 % shifted (4 tokens)");
    expect(splitLine([], "urial").text).toBe("base, URIAL: – unshifted, – marginal, – shifted (0 tokens)");
  });

  it("makes line breaks, tabs and empty tokens visible, keeping the break", () => {
    expect(visibleTokenText("\n")).toBe("↵\n");
    expect(visibleTokenText("a\tb")).toBe("a→\tb");
    expect(visibleTokenText("")).toBe("∅");
  });

  it("builds the three top-k tables with the answer's token marked", () => {
    const top = [
      { id: 3, text: "x", probability: 0.6 },
      { id: 7, text: "\n", probability: 0.00004 },
    ];
    const tables = topTables({ ...position(2), zeroShot: score(2, top) });
    expect(tables.map((table) => table.caption)).toEqual(["chat model", "base, zero-shot (η = 2)", "base, URIAL (η = 1)"]);
    expect(tables[1]!.rows).toEqual([
      { text: "x", probability: "0.600", isAnswer: false },
      { text: "↵\n", probability: "4.0e-5", isAnswer: true },
    ]);
  });
});

describe("prompt-view", () => {
  it("builds request messages: system only when written, turns in order, the query last", () => {
    expect(chatMessages("  ", [{ query: "q1", answer: "a1" }], "q2")).toEqual([
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
    ]);
    expect(chatMessages("Be brief.", [], "q")[0]).toEqual({ role: "system", content: "Be brief." });
    expect(previewMessages("", [], " ").at(-1)).toEqual({ role: "user", content: draftPlaceholder });
  });

  it("splits the prompt at the shared prefix and marks block headers", () => {
    const prompt = "# Instruction\n\nBe good.\n\n# Query:\n```\nq\n```\n\n# Answer:\n```\n";
    const prefix = "# Instruction\n\nBe good.\n\n".length;
    const pieces = promptPieces(prompt, prefix);
    expect(pieces.map((piece) => piece.text).join("")).toBe(prompt);
    expect(pieces).toEqual([
      { text: "# Instruction\n", part: "shared", header: true },
      { text: "\nBe good.\n\n", part: "shared", header: false },
      { text: "# Query:\n", part: "conversation", header: true },
      { text: "```\nq\n```\n\n", part: "conversation", header: false },
      { text: "# Answer:\n", part: "conversation", header: true },
      { text: "```\n", part: "conversation", header: false },
    ]);
    expect(promptPieces("abc", 99)).toEqual([{ text: "abc", part: "shared", header: false }]);
  });

  it("summarises size, set and system message", () => {
    expect(promptSummary({ model: "urial", prompt_tokens: 3164, context_size: 4096, exemplar_set: { name: "urial-help", version: "1.0.0" }, prefix_length: 9000, system_message: "appended" })).toBe(
      "urial: 3,164 of 4,096 context tokens · exemplar set urial-help@1.0.0 · shared prefix 9,000 characters (cached) · your system message is appended",
    );
    expect(promptSummary({ model: "chat", prompt_tokens: 35, context_size: 4096, exemplar_set: null, prefix_length: 0, system_message: null })).toBe(
      "chat: 35 of 4,096 context tokens · the chat model's own template",
    );
  });
});

describe("api-error", () => {
  it("shows the API's own message with its code, status and param", () => {
    const error = errorFromResponse(400, JSON.stringify({ error: { message: "max_tokens is too large: 5000.", type: "invalid_request_error", param: "max_tokens", code: "max_tokens_too_large" } }));
    expect(describeError(error)).toBe("max_tokens_too_large (400) [max_tokens]: max_tokens is too large: 5000.");
  });

  it("says what came when the body is not the API's error, and when nothing answered", () => {
    expect(describeError(errorFromResponse(502, "<html>Bad gateway</html>"))).toBe("502: HTTP 502: <html>Bad gateway</html>");
    expect(describeError(errorFromResponse(500, ""))).toBe("500: HTTP 500 with an empty body");
    expect(describeError(new TypeError("Failed to fetch"))).toBe("The server did not answer (Failed to fetch). Is urial serve still running?");
    expect(describeError(new PlaygroundApiError("The stream ended early."))).toBe("The stream ended early.");
  });
});
