/**
 * @module openai/conversation-from-messages
 * Turns OpenAI chat messages into what the URIAL renderer needs: the client's
 * system text, earlier exchanges, and the current query. Consecutive messages
 * of one role are joined; the conversation must end with a user message.
 */
import { escapeBlockText } from "../prompt/escape-block-text.js";
import type { Exchange } from "../prompt/render-urial-prompt.js";
import { invalidRequest } from "./api-error.js";
import type { ChatMessage } from "./chat-request-schema.js";

/** What happens to a client `system` message. */
export type SystemMessageMode = "append" | "replace" | "ignore";

export interface Conversation {
  /** The client's system/developer messages joined (empty when none). */
  clientSystem: string;
  history: Exchange[];
  query: string;
}

export function conversationFromMessages(messages: readonly ChatMessage[]): Conversation {
  const system: string[] = [];
  const turns: { role: "user" | "assistant"; text: string }[] = [];
  messages.forEach((message, index) => {
    const text = messageText(message, index);
    switch (message.role) {
      case "system":
      case "developer":
        system.push(text);
        return;
      case "user":
      case "assistant": {
        if (message.role === "assistant" && (message as { tool_calls?: unknown }).tool_calls) {
          throw invalidRequest("Tool calls are not supported by this server.", `messages.${index}.tool_calls`, "unsupported_parameter");
        }
        const last = turns[turns.length - 1];
        if (last && last.role === message.role) last.text = `${last.text}\n\n${text}`;
        else turns.push({ role: message.role, text });
        return;
      }
      case "tool":
      case "function":
        throw invalidRequest(`Messages with role '${message.role}' are not supported (no tool calling).`, `messages.${index}.role`, "unsupported_parameter");
    }
  });
  if (turns.length === 0) throw invalidRequest("The conversation needs at least one user message.", "messages", "invalid_value");
  if (turns[0]!.role === "assistant") {
    throw invalidRequest("The first non-system message must come from the user.", "messages", "invalid_value");
  }
  const last = turns[turns.length - 1]!;
  if (last.role !== "user") throw invalidRequest("The last message must come from the user.", "messages", "invalid_value");
  const history: Exchange[] = [];
  for (let index = 0; index + 1 < turns.length - 1; index += 2) {
    history.push({ query: turns[index]!.text, answer: turns[index + 1]!.text });
  }
  return { clientSystem: system.join("\n\n"), history, query: last.text };
}

/**
 * Combines the set's system prompt with the client's according to `mode`.
 * The client's text is escaped (it must not forge blocks); the set's is trusted.
 */
export function combineSystem(builtIn: string, clientSystem: string, mode: SystemMessageMode): string {
  if (clientSystem.trim().length === 0 || mode === "ignore") return builtIn;
  const client = escapeBlockText(clientSystem.trim());
  if (mode === "replace") return client;
  return `${builtIn.trimEnd()}\n\n${client}`;
}

function messageText(message: ChatMessage, index: number): string {
  const content = message.content;
  if (content === null || content === undefined) {
    throw invalidRequest("Message content is required.", `messages.${index}.content`, "invalid_value");
  }
  if (typeof content === "string") return content;
  return content
    .map((part, partIndex) => {
      if (part.type !== "text" || typeof part.text !== "string") {
        throw invalidRequest(`Content parts of type '${part.type}' are not supported; only text parts are.`, `messages.${index}.content.${partIndex}.type`, "unsupported_content_type");
      }
      return part.text;
    })
    .join("\n");
}
