/**
 * @module server/app
 * Builds the hono app from its dependencies. No I/O here: `cli/serve-command`
 * loads things and listens; tests call `app.request()` directly.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError, toErrorResponse } from "../openai/api-error.js";
import type { AppDeps } from "./app-deps.js";
import { requestId } from "./request-id.js";
import { chatCompletionsRoute } from "./routes/chat-completions.js";
import { completionsRoute } from "./routes/completions.js";
import { healthRoute } from "./routes/health.js";
import { getModelRoute, listModelsRoute } from "./routes/models.js";
import { shiftRoute } from "./routes/shift.js";

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", requestId());
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new ApiError({
          status: 413,
          type: "invalid_request_error",
          message: `The request body is larger than ${deps.maxBodyBytes} bytes.`,
          code: "request_too_large",
        });
      },
    }),
  );
  app.get("/health", healthRoute(deps));
  app.get("/v1/models", listModelsRoute(deps));
  app.get("/v1/models/*", getModelRoute(deps));
  app.post("/v1/chat/completions", chatCompletionsRoute(deps));
  app.post("/v1/completions", completionsRoute(deps));
  app.post("/v1/shift", shiftRoute(deps));
  app.notFound((c) => {
    const { status, body } = toErrorResponse(
      new ApiError({ status: 404, type: "not_found_error", message: `No route for ${c.req.method} ${c.req.path}.`, code: "not_found" }),
    );
    return c.json(body, status as 404);
  });
  app.onError((error, c) => {
    // The client went away: nobody reads this answer, and it is not a server fault.
    if (c.req.raw.signal.aborted) return c.body(null, 499 as 400);
    const { status, body, headers } = toErrorResponse(error);
    if (status >= 500) deps.onServerError?.(c.get("requestId"), error);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return c.json(body, status as 400);
  });
  return app;
}
