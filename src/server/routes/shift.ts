/**
 * @module server/routes/shift
 * `POST /v1/shift`: the token-distribution-shift analysis of one query, as a
 * `shift.json` document with one prompt. Enabled by `--chat-model`; 404
 * otherwise, 503 while the models load.
 */
import type { Context } from "hono";
import { DomainError, modelLoading } from "../../errors/domain-error.js";
import { invalidRequest } from "../../openai/api-error.js";
import { parseRequest } from "../../openai/parse-request.js";
import { buildShiftReport } from "../../shift/build-shift-report.js";
import { shiftRequestDefaults, shiftRequestSchema } from "../../shift/shift-request-schema.js";
import type { AppDeps } from "../app-deps.js";
import { readJsonBody } from "../read-json-body.js";

export function shiftRoute(deps: AppDeps) {
  return async function shift(c: Context): Promise<Response> {
    if (deps.shift === undefined) {
      throw new DomainError({
        kind: "missing",
        message: "POST /v1/shift is not enabled: start the server with --chat-model PATH (or URIAL_CHAT_MODEL), the chat twin of the base model.",
        code: "shift_not_enabled",
      });
    }
    const request = parseRequest(shiftRequestSchema, await readJsonBody(c));
    const set = request.exemplars === null || request.exemplars === undefined ? deps.catalog.defaultSet : deps.catalog.sets.get(request.exemplars);
    if (!set) {
      throw new DomainError({
        kind: "unknown",
        message: `There is no exemplar set '${request.exemplars}'. Available: ${[...deps.catalog.sets.keys()].join(", ")}.`,
        param: "exemplars",
        code: "exemplar_set_not_found",
      });
    }
    const analyser = deps.shift();
    if (!analyser) throw modelLoading("The base and chat models for /v1/shift are still loading. Retry shortly.");
    analyser.checkExemplarSet(set);
    const options = {
      topK: request.top_k ?? shiftRequestDefaults.topK,
      maxTokens: request.max_tokens ?? shiftRequestDefaults.maxTokens,
      temperature: request.temperature ?? shiftRequestDefaults.temperature,
      seed: request.seed ?? undefined,
    };
    const result = await analyser.analyse(
      { id: "query", query: request.query, ...(request.answer !== null && request.answer !== undefined ? { answer: request.answer } : {}) },
      { ...options, exemplarSet: set },
    );
    if (result.positions.length === 0 && result.answer.truncated) {
      throw invalidRequest(
        `The query is too long: with it, the contexts leave no room for an answer (chat prompt ${result.contexts.chat.promptTokens}, zero-shot ${result.contexts.zeroShot.promptTokens}, URIAL ${result.contexts.urial.promptTokens} tokens; context ${Math.min(analyser.base.contextSize, analyser.chat.contextSize)}).`,
        "query",
        "context_length_exceeded",
      );
    }
    return c.json(
      buildShiftReport({
        base: analyser.base,
        chat: analyser.chat,
        settings: { ...options, exemplarSet: set, promptsFile: null },
        prompts: [result],
        createdAt: new Date(),
      }),
    );
  };
}
