/**
 * @module ab/answer-style
 * What an answer looks like, read from its text alone (no judge): does it
 * open by affirming the request ("Good question!", "Sure!"), does it carry a
 * list (two or more numbered or bulleted items), does it close with a
 * summary line ("In short, …"), does it refuse. An answer with the opener,
 * a numbered list and the closing is in full URIAL style — the style of the
 * paper's exemplars and of this project's `urial-*` sets. Pure and
 * deterministic, so every report can afford it.
 */
import { isRefusal } from "../offline/answer-quality.js";

/** The style features of one answer. */
export interface AnswerStyle {
  /** Its first sentence affirms the request or the question. */
  opener: boolean;
  /** Two or more list items (numbered or bulleted). */
  list: boolean;
  /** Two or more numbered items. */
  numberedList: boolean;
  /** Its last paragraph starts with a summarising phrase. */
  closing: boolean;
  /** It declines the request (see `ab/answer-quality`). */
  refusal: boolean;
  /** Opener, numbered list and closing together. */
  urialStyle: boolean;
}

// Affirming openers: praise of the question, or agreement to help, as the first words.
const openerPattern =
  /^(?:(?:hi|hello|hey)[!,.]\s*)?(?:(?:what an? |that'?s an? |such an? |a )?(?:good|great|excellent|interesting|fantastic|wonderful|lovely|fun|nice|thoughtful|important) (?:question|one|idea)|sure(?:\s+thing)?|of course|certainly|absolutely|definitely|glad you asked|happy to help|i'?d be (?:happy|glad) to (?:help|explain)|i'?m (?:happy|glad) to (?:help|explain)|thanks? (?:you )?for (?:asking|the question))\b/i;
const numberedItem = /^\s*\d{1,3}[.)]\s+\S/;
const bulletItem = /^\s*[-*•]\s+\S/;
const closingPattern = /^(?:in (?:short|summary|sum|conclusion|brief|a nutshell)|to (?:sum (?:it )?up|summari[sz]e|conclude|recap)|overall|all in all|in the end|the bottom line)\b/i;

/** Reads the style features of `text`. */
export function detectAnswerStyle(text: string): AnswerStyle {
  const trimmed = text.trim();
  const lines = trimmed.split(/\r?\n/);
  const numbered = lines.filter((line) => numberedItem.test(line)).length;
  const bullets = lines.filter((line) => bulletItem.test(line)).length;
  const paragraphs = trimmed
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
  // A closing is its own paragraph after the body (a one-paragraph answer has no separate summary).
  const last = paragraphs.length > 1 ? paragraphs.at(-1)! : "";
  const opener = openerPattern.test(trimmed.replace(/^[*_#>\s]+/, ""));
  const numberedList = numbered >= 2;
  const closing = closingPattern.test(last.replace(/^[*_#>\s]+/, "")) && !numberedItem.test(last) && !bulletItem.test(last);
  return {
    opener,
    list: numbered + bullets >= 2,
    numberedList,
    closing,
    refusal: isRefusal(trimmed),
    urialStyle: opener && numberedList && closing,
  };
}
