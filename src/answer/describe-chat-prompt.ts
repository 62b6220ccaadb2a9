/**
 * @module answer/describe-chat-prompt
 * What a chat prompt that does not fit is made of: the chosen exemplar set's
 * share (its system prompt and exemplars), and every other set's whole prompt
 * for the same messages, so the error can name a set that would fit. Runs
 * only when the error happens (it tokenizes one prompt per set).
 */
import { exemplarExchanges, type Catalog, type ExemplarSet } from "../catalog/catalog.js";
import type { Engine, PromptComposition } from "../engine/engine.js";
import { combineSystem, type Conversation, type SystemMessageMode } from "../openai/conversation-from-messages.js";
import { renderUrialPrompt } from "../prompt/render-urial-prompt.js";

export interface ChatPromptSubject {
  engine: Engine;
  catalog: Catalog;
  set: ExemplarSet;
  conversation: Conversation;
  systemMessageMode: SystemMessageMode;
}

/** The set's part of the prompt and the other sets' prompt sizes. */
export function describeChatPrompt(subject: ChatPromptSubject): PromptComposition {
  const { engine, conversation } = subject;
  const render = (set: ExemplarSet) =>
    renderUrialPrompt({
      system: combineSystem(set.systemPrompt, conversation.clientSystem, subject.systemMessageMode),
      exemplars: exemplarExchanges(set),
      history: conversation.history,
      query: conversation.query,
      template: set.template,
    });
  const own = render(subject.set);
  const prefixTokens = engine.tokenize(own.text.slice(0, own.prefixLength)).length;
  const otherSets = [...subject.catalog.sets.values()].filter((set) => set.name !== subject.set.name).map((set) => ({ name: set.name, promptTokens: engine.tokenize(render(set).text).length }));
  return { set: { name: subject.set.name, prefixTokens }, otherSets };
}
