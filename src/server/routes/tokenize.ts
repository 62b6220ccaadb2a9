/**
 * @module server/routes/tokenize
 * `POST /tokenize`: the prompt's tokens as `/v1/completions` counts them (BOS
 * included where the model adds one), in the shape llama-server answers
 * (`{"tokens": [...]}`, plus `count`). Takes `content` (llama-server) or
 * `prompt` (vLLM). Lets a proxy in front of this server count exactly. Not
 * offered when this server's own engine is remote (it has no exact count).
 */
import type { Context } from "hono";
import { z } from "zod";
import { ApiError, invalidRequest } from "../../openai/api-error.js";
import { parseRequest } from "../../openai/parse-request.js";
import { checkPromptInput } from "../../answer/check-input-size.js";
import type { AppDeps } from "../app-deps.js";
import { readJsonBody } from "../read-json-body.js";
import { requireEngine } from "../../answer/require-engine.js";
import { resolveRequestLimits } from "../../answer/request-limits.js";

const tokenizeRequestSchema = z.object({
  content: z.string({ error: "must be a string" }).nullish(),
  prompt: z.string({ error: "must be a string" }).nullish(),
  model: z.string({ error: "must be a string" }).nullish(),
  add_special: z.boolean({ error: "must be a boolean" }).nullish(),
  add_special_tokens: z.boolean({ error: "must be a boolean" }).nullish(),
});

/** The `/tokenize` handler. */
export function tokenizeRoute(deps: AppDeps) {
  return async function tokenize(c: Context): Promise<Response> {
    const request = parseRequest(tokenizeRequestSchema, await readJsonBody(c));
    const text = request.content ?? request.prompt;
    if (text === null || text === undefined) throw invalidRequest("Send the text to tokenize as 'content' (or 'prompt').", "content", "invalid_value");
    checkPromptInput([text], resolveRequestLimits(deps.limits));
    const engine = requireEngine(deps.engine());
    if (engine.info.upstream !== undefined) {
      throw new ApiError({
        status: 404,
        type: "not_found_error",
        message: "This server generates on a remote upstream and has no exact tokenizer; ask the upstream's /tokenize.",
        code: "tokenize_not_available",
      });
    }
    const tokens = engine.tokenize(text);
    return c.json({ tokens, count: tokens.length });
  };
}
