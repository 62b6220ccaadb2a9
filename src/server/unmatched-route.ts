/**
 * @module server/unmatched-route
 * What a request that no route takes is told: 405 with `Allow` when the path
 * exists under another method; a "not supported by this server" 404 for the
 * OpenAI API routes this server does not implement (so an SDK user learns it
 * is the server, not their code); else 404 pointing at the API index.
 */
import { ApiError } from "../openai/api-error.js";
import { allowedMethods, type RegisteredRoute } from "./route-patterns.js";

/** OpenAI API route families this server does not implement (prefixes under /v1). */
const openAiRoutesNotServed: readonly (readonly [RegExp, string])[] = [
  [/^\/v1\/responses(\/|$)/, "the Responses API"],
  [/^\/v1\/embeddings\/?$/, "embeddings"],
  [/^\/v1\/(images|audio|videos)(\/|$)/, "image, audio and video generation"],
  [/^\/v1\/moderations\/?$/, "moderation"],
  [/^\/v1\/(files|uploads|batches|fine_tuning|vector_stores|containers|evals)(\/|$)/, "files, batches and fine-tuning"],
  [/^\/v1\/(assistants|threads|conversations|realtime|chatkit)(\/|$)/, "assistants, threads, conversations and realtime sessions"],
  [/^\/v1\/(edits|engines)(\/|$)/, "the retired edits and engines APIs"],
];

const served = "it serves POST /v1/chat/completions (chat through URIAL) and POST /v1/completions (raw text); GET /v1 lists every route";

/** The error for a request no route took. */
export function unmatchedRoute(routes: readonly RegisteredRoute[], method: string, rawPath: string): ApiError {
  const path = rawPath.length > 200 ? `${rawPath.slice(0, 200)}…` : rawPath;
  const allowed = allowedMethods(routes, rawPath);
  if (allowed.length > 0) {
    return new ApiError({
      status: 405,
      type: "invalid_request_error",
      message: `${method} is not allowed on ${path}: use ${allowed.filter((name) => name !== "HEAD").join(" or ")}.`,
      code: "method_not_allowed",
      headers: { allow: allowed.join(", ") },
    });
  }
  const family = openAiRoutesNotServed.find(([pattern]) => pattern.test(rawPath));
  if (family !== undefined) {
    const hint = family[1] === "the Responses API" ? " (with the openai SDK: client.chat.completions.create instead of client.responses.create)" : "";
    return new ApiError({
      status: 404,
      type: "invalid_request_error",
      message: `${method} ${path} is not supported by this server: it is part of OpenAI's API (${family[1]}), which urial-proxy does not implement; ${served}${hint}.`,
      code: "unsupported_endpoint",
    });
  }
  return new ApiError({ status: 404, type: "not_found_error", message: `No route for ${method} ${path}. GET /v1 lists the routes this server has.`, code: "not_found" });
}
