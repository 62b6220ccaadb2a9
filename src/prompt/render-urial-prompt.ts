/**
 * @module prompt/render-urial-prompt
 * Pure rendering of the URIAL prompt: system prompt, the exemplars as
 * Query/Answer blocks, earlier turns as more blocks, then the open answer
 * block that the base model continues. No I/O, no model.
 *
 * Two templates: `urial` (the answer block holds the answer) and
 * `principles` (SELF-ALIGN style: the answer block starts with the
 * assistant's internal thoughts between `<internal-thoughts>` markers, then
 * the answer; the open block is pre-filled with the opening marker so the
 * model always thinks first).
 */
import { escapeBlockText, fenceFor } from "./escape-block-text.js";

/** One completed exchange: an exemplar or an earlier turn of the conversation. */
export interface Exchange {
  query: string;
  answer: string;
  /** Internal thoughts written before the answer (principles template). */
  thoughts?: string;
}

export type Template = "urial" | "principles";

export interface UrialPromptInput {
  /**
   * The system prompt text, used as is (the set's own prompt is trusted; a
   * client system message is escaped when it is combined, see `combineSystem`).
   */
  system: string;
  /** The exemplar set's exchanges, in order. */
  exemplars: readonly Exchange[];
  /** Earlier turns of this conversation, oldest first. */
  history: readonly Exchange[];
  /** The user's current message. */
  query: string;
  /** Defaults to `urial`. */
  template?: Template;
}

export interface RenderedPrompt {
  /** The full prompt text to give the base model. */
  text: string;
  /** Length in characters of the part shared by every request of the set (system + exemplars). */
  prefixLength: number;
}

/** Marks the start of the internal thoughts in a principles answer block. */
export const thoughtsOpen = "<internal-thoughts>";
/** Marks the end of the internal thoughts; the answer follows. */
export const thoughtsClose = "</internal-thoughts>";

/** Stop strings for an answer block, matched at the start of a line: the start of the next block. */
export const urialLineStops: readonly string[] = ["\n# Query", "\n# Answer", "\n# Instruction"];

/** Renders one `# Query:` block. */
export function renderQueryBlock(query: string): string {
  const body = escapeBlockText(query.trim());
  const fence = fenceFor(body);
  return `# Query:\n${fence}\n${body}\n${fence}\n\n`;
}

/** Renders one closed `# Answer:` block (with its thoughts first when given). */
export function renderAnswerBlock(answer: string, thoughts?: string): string {
  let body = escapeBlockText(answer.trim());
  if (thoughts !== undefined && thoughts.trim().length > 0) {
    body = `${thoughtsOpen}\n${escapeBlockText(thoughts.trim())}\n${thoughtsClose}\n${body}`;
  }
  const fence = fenceFor(body);
  return `# Answer:\n${fence}\n${body}\n${fence}\n\n`;
}

/** The open answer block the model writes into; its fence is always ```. */
export function openAnswerBlock(template: Template = "urial"): string {
  return template === "principles" ? `# Answer:\n\`\`\`\n${thoughtsOpen}\n` : "# Answer:\n```\n";
}

/** Renders the whole URIAL prompt. */
export function renderUrialPrompt(input: UrialPromptInput): RenderedPrompt {
  const system = input.system.trim();
  let text = system.length > 0 ? `${system}\n\n\n` : "";
  for (const exchange of input.exemplars) {
    text += renderQueryBlock(exchange.query) + renderAnswerBlock(exchange.answer, exchange.thoughts);
  }
  const prefixLength = text.length;
  for (const exchange of input.history) {
    text += renderQueryBlock(exchange.query) + renderAnswerBlock(exchange.answer, exchange.thoughts);
  }
  text += renderQueryBlock(input.query) + openAnswerBlock(input.template);
  return { text, prefixLength };
}
