/**
 * @module server/routes/chat-prompt
 * `POST /v1/chat/prompt`: the exact prompt a chat request (same body as
 * `/v1/chat/completions`) would make the model read, without generating —
 * system prompt, exemplars, earlier turns and the open answer block for URIAL
 * ids, the chat template's text for `chat`. Rendered by the same functions the
 * completion route uses.
 */
import type { Context } from "hono";
import { ApiError, invalidRequest } from "../../openai/api-error.js";
import { chatRequestSchema } from "../../openai/chat-request-schema.js";
import { conversationFromMessages } from "../../openai/conversation-from-messages.js";
import { parseRequest } from "../../openai/parse-request.js";
import type { AppDeps } from "../app-deps.js";
import { chatModelId, resolveChatModel } from "../../answer/model-ids.js";
import { readJsonBody } from "../read-json-body.js";
import { renderChatRequest } from "../../answer/render-chat-request.js";
import { requireEngine } from "../../answer/require-engine.js";

export function chatPromptRoute(deps: AppDeps) {
  return async function chatPrompt(c: Context): Promise<Response> {
    const request = parseRequest(chatRequestSchema, await readJsonBody(c));
    if (deps.experiments?.find(request.model) !== undefined) {
      throw invalidRequest(
        `'${request.model}' is an A/B experiment: each request is assigned a variant, so there is no one prompt to show. Ask for the variant's own model id.`,
        "model",
        "model_not_supported",
      );
    }
    if (request.model === chatModelId && deps.shift !== undefined) {
      const analyser = deps.shift();
      if (!analyser)
        throw new ApiError({ status: 503, type: "service_unavailable", message: "The chat model is still loading. Retry shortly.", code: "model_loading", headers: { "retry-after": "2" } });
      const conversation = conversationFromMessages(request.messages);
      const prompt = analyser.chatModel.render(conversation.query, { system: conversation.clientSystem, history: conversation.history });
      return c.json({
        object: "chat.prompt",
        model: request.model,
        exemplar_set: null,
        prompt: prompt.text,
        prefix_length: 0,
        prompt_tokens: prompt.tokens.length,
        context_size: analyser.chat.contextSize,
        system_message: null,
      });
    }
    const set = resolveChatModel(deps.catalog, request.model);
    const { conversation, rendered } = renderChatRequest(set, request.messages, deps.systemMessageMode);
    const engine = requireEngine(deps.engine());
    const hasClientSystem = conversation.clientSystem.trim().length > 0;
    return c.json({
      object: "chat.prompt",
      model: request.model,
      exemplar_set: { name: set.name, version: set.version, hash: set.hash },
      prompt: rendered.text,
      prefix_length: rendered.prefixLength,
      prompt_tokens: engine.tokenize(rendered.text).length,
      context_size: engine.info.contextSize,
      system_message: hasClientSystem ? (deps.systemMessageMode === "ignore" ? "ignored" : deps.systemMessageMode === "replace" ? "replaced" : "appended") : null,
    });
  };
}
