/**
 * @module engine/render-chat-prompt
 * Renders a chat prompt (one turn, or several after a system message) with a chat model's own template: the GGUF's
 * `tokenizer.chat_template` (or a Jinja override) through node-llama-cpp's
 * `JinjaTemplateChatWrapper`, or a plain `{query}` layout. The user message
 * is always tokenized as text, so it cannot forge special tokens. Jinja
 * templates go through the wrapper exactly as `LlamaChatSession` would use
 * them (it tokenizes the template's pieces and the message separately).
 */
import { JinjaTemplateChatWrapper, type ChatHistoryItem, type LlamaModel, type Token } from "node-llama-cpp";
import type { ChatTemplateOverride } from "./chat-template-override.js";
import { ChatTemplateError, type ChatPrompt, type ChatPromptContext } from "./scoring-model.js";

/** Renders prompts for one model, and the texts that end its answers. */
export interface ChatPromptRenderer {
  render(query: string, context?: ChatPromptContext): ChatPrompt;
  /** Stop texts of the template that are not end-of-generation tokens (removed from answers). */
  stopTexts: readonly string[];
}

/** Builds the renderer for `template` (a GGUF Jinja template or a parsed override). */
export function createChatPromptRenderer(model: LlamaModel, template: ChatTemplateOverride): ChatPromptRenderer {
  if (template.kind === "layout") {
    const bos = model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
    return {
      stopTexts: [],
      render(query, context) {
        // Earlier turns repeat the layout, each followed by its answer and a newline;
        // a system message goes first on a line of its own.
        const earlier = [
          ...(context?.system !== undefined && context.system.length > 0 ? [`${context.system}\n`] : []),
          ...(context?.history ?? []).map((turn) => `${template.before}${turn.query}${template.after} ${turn.answer}\n`),
        ].join("");
        // Tokenized as one string, as the model saw such text in training
        // (piecewise tokenization adds a SentencePiece space at each seam) —
        // unless the text holds special-token text, which must stay text.
        const forgesSpecialTokens = model.tokenize(earlier + query, true).length !== model.tokenize(earlier + query, false).length;
        const body = forgesSpecialTokens
          ? [...model.tokenize(earlier, false), ...model.tokenize(template.before, true), ...model.tokenize(query, false), ...model.tokenize(template.after, true)]
          : model.tokenize(earlier + template.before + query + template.after, true);
        const tokens = [...bos, ...body];
        return { tokens, text: model.detokenize(tokens, true) };
      },
    };
  }
  let wrapper: JinjaTemplateChatWrapper;
  try {
    wrapper = new JinjaTemplateChatWrapper({ template: template.template, tokenizer: model.tokenizer });
  } catch (error) {
    throw new ChatTemplateError(`the chat template cannot be used (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
  const stopTexts = new Set<string>();
  let probed = false;
  const render = (query: string, context?: ChatPromptContext): ChatPrompt => {
    let state;
    const chatHistory: ChatHistoryItem[] = [
      ...(context?.system !== undefined && context.system.length > 0 ? [{ type: "system" as const, text: context.system }] : []),
      ...(context?.history ?? []).flatMap((turn): ChatHistoryItem[] => [
        { type: "user", text: turn.query },
        { type: "model", response: [turn.answer] },
      ]),
      { type: "user", text: query },
      { type: "model", response: [] },
    ];
    try {
      state = wrapper.generateContextState({ chatHistory });
    } catch (error) {
      throw new ChatTemplateError(`the chat template failed to render (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
    }
    if (!probed) {
      probed = true;
      for (const trigger of state.stopGenerationTriggers) {
        const tokens = trigger.tokenize(model.tokenizer);
        // A trigger that starts with an end-of-generation token is covered by the EOG stop.
        if (tokens.length === 0 || model.isEogToken(tokens[0])) continue;
        stopTexts.add(model.detokenize(tokens, true));
      }
    }
    const tokens: number[] = state.contextText.tokenize(model.tokenizer);
    return { tokens, text: model.detokenize(tokens as Token[], true) };
  };
  render("Hello");
  return { render, stopTexts: [...stopTexts] };
}
