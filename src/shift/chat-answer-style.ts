/**
 * @module shift/chat-answer-style
 * The judge-free style of the chat model's answers in a shift run (the
 * answers the base model is read against): how many open by affirming the
 * request, carry a list, close with a summary — the same metrics `urial ab`
 * reports per variant, so the two can be set side by side. Pure.
 */
import { detectAnswerStyle } from "../ab/style/answer-style.js";
import { formatPercentInterval } from "../ab/report/format-ab.js";
import { summarizeStyle, styleShareLabels, type StyleMetrics } from "../ab/style/style-metrics.js";
import type { PromptShift } from "./shift-schema.js";

/** The style metrics of the run's chat answers (a given answer counts as ended cleanly). */
export function summarizeChatAnswerStyle(prompts: readonly Pick<PromptShift, "answer">[]): StyleMetrics {
  return summarizeStyle(
    prompts.map(({ answer }) => ({
      style: detectAnswerStyle(answer.text),
      chars: answer.text.length,
      cleanEnding: !answer.truncated && answer.stopReason !== "length",
    })),
  );
}

/** E.g. `chat answers (20): full URIAL style 100.0 % [83.9–100.0] · affirming opener … · median 212 chars`. */
export function formatChatAnswerStyle(metrics: StyleMetrics): string {
  const shares = (["urialStyle", "opener", "list", "closing", "cleanEnding"] as const).map((share) => `${styleShareLabels[share]} ${formatPercentInterval(metrics[share])}`);
  const median = metrics.medianChars.value === null ? "–" : `${Math.round(metrics.medianChars.value)}`;
  return `chat answers (${metrics.answers}): ${shares.join(" · ")} · median ${median} chars`;
}
