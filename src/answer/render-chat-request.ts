/**
 * @module answer/render-chat-request
 * The one place that turns a chat request's messages and its exemplar set
 * into the URIAL prompt text. `POST /v1/chat/completions` generates from it
 * and `POST /v1/chat/prompt` shows it, so what the page shows is exactly what
 * the model reads. Pure; no HTTP here.
 */
import { exemplarExchanges, type ExemplarSet } from "../catalog/catalog.js";
import type { ChatMessage } from "../openai/chat-request-schema.js";
import { combineSystem, conversationFromMessages, type Conversation, type SystemMessageMode } from "../openai/conversation-from-messages.js";
import { renderUrialPrompt, type Exchange } from "../prompt/render-urial-prompt.js";

export interface RenderedChatRequest {
  conversation: Conversation;
  exemplars: Exchange[];
  rendered: ReturnType<typeof renderUrialPrompt>;
}

/** Renders `messages` with `set`; 400s for conversations the renderer cannot take. */
export function renderChatRequest(set: ExemplarSet, messages: readonly ChatMessage[], mode: SystemMessageMode): RenderedChatRequest {
  const conversation = conversationFromMessages(messages);
  const system = combineSystem(set.systemPrompt, conversation.clientSystem, mode);
  const exemplars = exemplarExchanges(set);
  const rendered = renderUrialPrompt({ system, exemplars, history: conversation.history, query: conversation.query, template: set.template });
  return { conversation, exemplars, rendered };
}
