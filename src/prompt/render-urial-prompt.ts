/**
 * @module prompt/render-urial-prompt
 * Pure rendering of the URIAL prompt: system prompt, the exemplars as
 * Query/Answer blocks, earlier turns as more blocks, then the open answer
 * block that the base model continues. No I/O, no model.
 */
import { escapeHeaderLines, fenceFor } from "./escape-block-text.js";

/** One completed exchange: an exemplar or an earlier turn of the conversation. */
export interface Exchange {
  query: string;
  answer: string;
}

export interface UrialPromptInput {
  /** The system prompt text (already combined with any client system message). */
  system: string;
  /** The exemplar set's exchanges, in order. */
  exemplars: readonly Exchange[];
  /** Earlier turns of this conversation, oldest first. */
  history: readonly Exchange[];
  /** The user's current message. */
  query: string;
}

export interface RenderedPrompt {
  /** The full prompt text to give the base model. */
  text: string;
  /** Length in characters of the part shared by every request of the set (system + exemplars). */
  prefixLength: number;
}

/** Stop strings for an answer block: the start of the next block. */
export const urialLineStops: readonly string[] = ["\n# Query", "\n# Answer"];

/** Renders one `# Query:` block. */
export function renderQueryBlock(query: string): string {
  const body = escapeHeaderLines(query.trim());
  const fence = fenceFor(body);
  return `# Query:\n${fence}\n${body}\n${fence}\n\n`;
}

/** Renders one closed `# Answer:` block. */
export function renderAnswerBlock(answer: string): string {
  const body = escapeHeaderLines(answer.trim());
  const fence = fenceFor(body);
  return `# Answer:\n${fence}\n${body}\n${fence}\n\n`;
}

/** The open answer block the model writes into; its fence is always ```. */
export const openAnswerBlock = "# Answer:\n```\n";

/** Renders the whole URIAL prompt. */
export function renderUrialPrompt(input: UrialPromptInput): RenderedPrompt {
  const system = escapeHeaderLines(input.system.trim());
  let text = system.length > 0 ? `${system}\n\n\n` : "";
  for (const exchange of input.exemplars) {
    text += renderQueryBlock(exchange.query) + renderAnswerBlock(exchange.answer);
  }
  const prefixLength = text.length;
  for (const exchange of input.history) {
    text += renderQueryBlock(exchange.query) + renderAnswerBlock(exchange.answer);
  }
  text += renderQueryBlock(input.query) + openAnswerBlock;
  return { text, prefixLength };
}
