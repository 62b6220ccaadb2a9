/**
 * @module ab/offline/answer-quality
 * Two judge-free signals per answer: whether it refuses (phrases that
 * decline, near its start) and whether it ended cleanly (the model closed
 * its answer itself instead of running into the token budget or being cut
 * for repetition or for leaking the prompt's scaffolding).
 */
import type { AbAnswer } from "./ab-results.js";

const refusalPatterns = [
  /\b(i|we)\s*(?:can(?:no|['’])t|cannot|won['’]t|will not|am not able to|['’]m not able to|am unable to|['’]m unable to|must decline to|do not|don['’]t)\s+(?:help|assist|provide|do|write|create|comply|give|share|support|answer|fulfil|fulfill)\b/,
  /\bi(?:['’]m| am) (?:sorry|afraid),? (?:but )?(?:i|that)\b/,
  /\bi must (?:decline|refuse)\b/,
  /\bas an ai\b/,
  /\b(?:not|never) (?:able|going) to help with\b/,
];

/** True when the answer's first 300 characters decline the request. */
export function isRefusal(content: string): boolean {
  const start = content.slice(0, 300).toLowerCase();
  return refusalPatterns.some((pattern) => pattern.test(start));
}

/** True when the model ended the answer itself (EOS or the end of its answer block). */
export function endedCleanly(answer: Pick<AbAnswer, "finishReason" | "stopReason" | "error">): boolean {
  return answer.error === null && answer.finishReason === "stop" && (answer.stopReason === null || answer.stopReason === "urial:block");
}
