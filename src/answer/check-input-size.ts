/**
 * @module answer/check-input-size
 * Rejects requests with too many messages or too much text before anything
 * is rendered or tokenized, so a hostile body costs no model time.
 */
import { invalidInput } from "../errors/domain-error.js";
import type { RequestLimits } from "./request-limits.js";

/** The parts of a chat message that carry text. */
export interface MessageText {
  content?: string | readonly { text?: string | undefined }[] | null | undefined;
  name?: string | null | undefined;
}

/** Refuses (`invalid`) a chat request has more than `maxMessages` messages or more than `maxInputChars` characters of text. */
export function checkChatInput(messages: readonly MessageText[], limits: Pick<RequestLimits, "maxMessages" | "maxInputChars">): void {
  if (messages.length > limits.maxMessages) {
    throw invalidInput(`The request has ${messages.length} messages; this server takes at most ${limits.maxMessages}.`, "messages", "too_many_messages");
  }
  let characters = 0;
  for (const message of messages) {
    characters += message.name?.length ?? 0;
    const content = message.content;
    if (typeof content === "string") characters += content.length;
    else if (Array.isArray(content)) for (const part of content) characters += part.text?.length ?? 0;
  }
  checkCharacters(characters, limits.maxInputChars, "messages");
}

/** Refuses (`invalid`) a completions request has more than `maxMessages` prompts or more than `maxInputChars` characters. */
export function checkPromptInput(prompts: readonly string[], limits: Pick<RequestLimits, "maxMessages" | "maxInputChars">): void {
  if (prompts.length > limits.maxMessages) {
    throw invalidInput(`The request has ${prompts.length} prompts; this server takes at most ${limits.maxMessages}.`, "prompt", "too_many_prompts");
  }
  checkCharacters(
    prompts.reduce((sum, prompt) => sum + prompt.length, 0),
    limits.maxInputChars,
    "prompt",
  );
}

function checkCharacters(characters: number, limit: number, param: string): void {
  if (characters > limit) {
    throw invalidInput(`The request has ${characters} characters of text; this server takes at most ${limit}.`, param, "input_too_long");
  }
}
