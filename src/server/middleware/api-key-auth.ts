/**
 * @module server/middleware/api-key-auth
 * Requires `Authorization: Bearer <key>` with one of the server's keys; 401 in
 * OpenAI's error shape otherwise. Keys are compared in constant time and never
 * echoed or logged. CORS preflights (OPTIONS) pass: browsers send them
 * without credentials.
 */
import type { MiddlewareHandler } from "hono";
import { createApiKeyMatcher } from "../../auth/api-key-matcher.js";
import { unauthorized } from "../../openai/api-error.js";

export interface ApiKeyAuthOptions {
  /** The accepted keys (at least one). */
  keys: readonly string[];
}

const bearer = /^Bearer +(\S+) *$/i;

/** Middleware: 401 unless the request carries one of `keys` as a Bearer token. */
export function apiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler {
  if (options.keys.length === 0) throw new Error("apiKeyAuth needs at least one key");
  const matches = createApiKeyMatcher(options.keys);
  return async function requireApiKey(c, next) {
    if (c.req.method === "OPTIONS") return next();
    const header = c.req.header("authorization");
    if (header === undefined || header.trim().length === 0) {
      throw unauthorized("You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>'.", "missing_api_key");
    }
    const presented = bearer.exec(header)?.[1];
    if (presented === undefined || !matches(presented)) {
      throw unauthorized("Incorrect API key provided. Send one of this server's keys as 'Authorization: Bearer <key>'.", "invalid_api_key");
    }
    await next();
  };
}
