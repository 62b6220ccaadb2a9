/**
 * @module test/shift/support/sample-report
 * A small but complete `ShiftReport` whose model text tries every way to
 * break out of HTML: a closing script tag, an element with an event handler,
 * quotes, ampersands, a line separator and newlines.
 */
import { buildShiftReport } from "../../../src/shift/build-shift-report.js";
import type { ShiftReport } from "../../../src/shift/shift-schema.js";
import { makePrompt } from "./make-position.js";

export const hostileText = `</script><img src=x onerror="window.__xss=1">&amp; "q" 'a'\u2028`;

/** Two prompts, 8 and 3 positions, with hostile text in the query, a token and a top-k entry. */
export function sampleReport(): ShiftReport {
  const first = makePrompt("first", [
    { zeroShot: 7, urial: 2, token: 10, text: "Sure", zeroShotKl: 1.5, urialKl: 0.4 },
    { zeroShot: 2, urial: 1, token: 11, text: "!" },
    { zeroShot: 1, urial: 1, token: 12, text: "\n" },
    { zeroShot: 5, urial: 9, token: 13, text: hostileText, zeroShotKl: 2, urialKl: 3 },
    { zeroShot: 1, urial: 1, token: 14, text: " Here" },
    { zeroShot: 1, urial: 3, token: 15, text: " is" },
    { zeroShot: 1, urial: 1, token: 16, text: " a" },
    { zeroShot: 40, urial: 4, token: 2, text: "</s>" },
  ]);
  first.query = `Tell me a story about <b>cats</b> & ${hostileText}`;
  first.positions[7]!.special = true;
  for (const position of first.positions) {
    const top = [
      { id: position.tokenId, text: position.text, probability: 0.6 },
      { id: 99, text: hostileText, probability: 0.3 },
      { id: 98, text: " the", probability: 0.1 },
    ];
    position.chat.top = top;
    position.zeroShot.top = [...top].reverse();
    position.urial.top = top.slice(1);
  }
  const second = makePrompt(
    "second",
    [
      { zeroShot: 1, urial: 1, token: 20, text: "Yes" },
      { zeroShot: 4, urial: 4, token: 21, text: "." },
      { zeroShot: 1, urial: 1, token: 2, text: "</s>" },
    ],
    true,
  );
  return buildShiftReport({
    base: { name: "base <model>", path: "/models/base.gguf", vocabularySize: 512, contextSize: 512, chatTemplate: null },
    chat: { name: "chat & co", path: "/models/chat.gguf", vocabularySize: 512, contextSize: 512, chatTemplate: "gguf" },
    settings: { topK: 3, maxTokens: 64, temperature: 0, exemplarSet: { name: "tiny", version: "1.0.0", hash: "0123456789abcdef" }, promptsFile: "prompts.jsonl" },
    prompts: [first, second],
    createdAt: new Date("2026-01-02T03:04:05Z"),
  });
}
