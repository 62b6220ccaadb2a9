/**
 * @module server/routes/apply-template
 * `POST /apply-template`: the URIAL prompt a chat request would be sent to the
 * base model as (system prompt, exemplars, the conversation, the open answer
 * block), without generating — what `urial chat`'s `/prompt` shows. Named and
 * shaped after llama-server's route (`{"prompt": "…"}`), plus the exemplar
 * set and, once the model is loaded, the prompt's token count. Rendered by
 * the one function the completion route and `POST /v1/chat/prompt` use.
 */
import type { Context } from "hono";
import { z } from "zod";
import { chatMessageSchema } from "../../openai/chat-request-schema.js";
import { parseRequest } from "../../openai/parse-request.js";
import { checkChatInput } from "../../answer/check-input-size.js";
import { renderChatRequest } from "../../answer/render-chat-request.js";
import type { AppDeps } from "../app-deps.js";
import { resolveChatModel } from "../../answer/model-ids.js";
import { readJsonBody } from "../read-json-body.js";
import { resolveRequestLimits } from "../../answer/request-limits.js";

const applyTemplateSchema = z.object({
  model: z.string({ error: "must be a string" }).nullish(),
  messages: z.array(chatMessageSchema, { error: "is required and must be an array" }).min(1, { error: "must contain at least one message" }),
});

export function applyTemplateRoute(deps: AppDeps) {
  return async function applyTemplate(c: Context): Promise<Response> {
    const request = parseRequest(applyTemplateSchema, await readJsonBody(c));
    checkChatInput(request.messages, resolveRequestLimits(deps.limits));
    const model = request.model ?? "urial";
    const set = resolveChatModel(deps.catalog, model);
    const { rendered } = renderChatRequest(set, request.messages, deps.systemMessageMode);
    const engine = deps.engine();
    const tokens = engine !== undefined && engine.info.upstream === undefined ? engine.tokenize(rendered.text).length : null;
    return c.json({ prompt: rendered.text, model, exemplar_set: `${set.name}@${set.version}`, prompt_tokens: tokens });
  };
}
