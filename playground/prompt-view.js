// @ts-check
/**
 * @module playground/prompt-view
 * The rendered-prompt panel's data: the messages a preview asks about (the
 * conversation so far plus the draft as the next user message), the prompt
 * split into the part every request of the set shares (system prompt and
 * exemplars, reused from the KV cache) and this conversation's part, with the
 * block headers (`# Query:`, `# Answer:`, `# Instruction`) marked. Pure.
 */

/**
 * @typedef {{ role: "system" | "user" | "assistant", content: string }} Message
 * @typedef {{ query: string, answer: string }} Turn
 * @typedef {{ text: string, part: "shared" | "conversation", header: boolean }} PromptPiece
 */

/** Stands in for the next query while the draft is empty. */
export const draftPlaceholder = "(your next message)";

/**
 * The messages of a chat request: the system message (when not blank), the earlier turns, and `query` last.
 * @param {string} system
 * @param {readonly Turn[]} turns
 * @param {string} query
 * @returns {Message[]}
 */
export function chatMessages(system, turns, query) {
  /** @type {Message[]} */
  const messages = system.trim().length > 0 ? [{ role: "system", content: system }] : [];
  for (const turn of turns) messages.push({ role: "user", content: turn.query }, { role: "assistant", content: turn.answer });
  messages.push({ role: "user", content: query });
  return messages;
}

/**
 * The messages a preview of the next request sends (an empty draft becomes the placeholder).
 * @param {string} system
 * @param {readonly Turn[]} turns
 * @param {string} draft
 * @returns {Message[]}
 */
export function previewMessages(system, turns, draft) {
  return chatMessages(system, turns, draft.trim().length > 0 ? draft : draftPlaceholder);
}

const headerLine = /^(# (?:Query|Answer|Instruction|Thoughts)\b.*)$/;

/**
 * The prompt in pieces for display: shared prefix vs conversation, header lines apart.
 * @param {string} prompt
 * @param {number} prefixLength characters of `prompt` that are the set's shared prefix
 * @returns {PromptPiece[]}
 */
export function promptPieces(prompt, prefixLength) {
  const cut = Math.max(0, Math.min(prefixLength, prompt.length));
  /** @type {PromptPiece[]} */
  const pieces = [];
  for (const [part, text] of /** @type {const} */ ([
    ["shared", prompt.slice(0, cut)],
    ["conversation", prompt.slice(cut)],
  ])) {
    if (text.length === 0) continue;
    // Split keeping line ends with their lines.
    for (const line of text.split(/(?<=\n)/)) {
      const header = headerLine.test(line.replace(/\n$/, ""));
      const last = pieces[pieces.length - 1];
      if (last && last.part === part && last.header === header && !header) last.text += line;
      else pieces.push({ text: line, part, header });
    }
  }
  return pieces;
}

/**
 * The line above the prompt: size against the context, the set, what happened to the system message.
 * @param {{ prompt_tokens: number, context_size: number, exemplar_set: { name: string, version: string } | null, prefix_length: number, system_message: string | null, model: string }} info
 * @returns {string}
 */
export function promptSummary(info) {
  const parts = [`${info.model}: ${info.prompt_tokens.toLocaleString("en")} of ${info.context_size.toLocaleString("en")} context tokens`];
  parts.push(info.exemplar_set ? `exemplar set ${info.exemplar_set.name}@${info.exemplar_set.version}` : "the chat model's own template");
  if (info.prefix_length > 0) parts.push(`shared prefix ${info.prefix_length.toLocaleString("en")} characters (cached)`);
  if (info.system_message) parts.push(`your system message is ${info.system_message}`);
  return parts.join(" · ");
}
