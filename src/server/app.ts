/**
 * @module server/app
 * Builds the hono app from its dependencies. No I/O here: `cli/serve-command`
 * loads things and listens; tests call `app.request()` directly.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { RequestTracker } from "../lifecycle/request-tracker.js";
import { ApiError } from "../openai/api-error.js";
import { ServerMetrics } from "../telemetry/server-metrics.js";
import type { AppDeps } from "./app-deps.js";
import { respondWithError } from "./error-response.js";
import { apiKeyAuth } from "./middleware/api-key-auth.js";
import { requestLifecycle } from "./middleware/request-lifecycle.js";
import { browserGuard, requireJsonContentType } from "./middleware/browser-guard.js";
import { resolveRequestLimits } from "../answer/request-limits.js";
import { requestId } from "./request-id.js";
import { metricsRoute } from "./routes/metrics.js";
import { tokenizeRoute } from "./routes/tokenize.js";
import { chatCompletionsRoute } from "./routes/chat-completions.js";
import { completionsRoute } from "./routes/completions.js";
import { healthRoute } from "./routes/health.js";
import { getModelRoute, listModelsRoute } from "./routes/models.js";
import { shiftRoute } from "./routes/shift.js";
import { getExperimentRoute, listExperimentsRoute } from "./routes/experiments.js";
import { feedbackRoute } from "./routes/feedback.js";
import { apiIndexRoute } from "./routes/api-index.js";
import { applyTemplateRoute } from "./routes/apply-template.js";
import { unmatchedRoute } from "./unmatched-route.js";
import { chatPromptRoute } from "./routes/chat-prompt.js";
import { listExemplarSetsRoute } from "./routes/exemplar-sets.js";
import { listVotesRoute, postVoteRoute } from "./routes/votes.js";
import { playgroundRoute } from "./routes/playground.js";

/** Headers a browser client may read from responses (with CORS on). */
const exposedHeaders = ["x-request-id", "x-urial-exemplar-set", "x-urial-system-message", "x-urial-experiment", "x-urial-variant", "retry-after"];

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const tracker = deps.tracker ?? new RequestTracker();
  const metrics = deps.metrics ?? new ServerMetrics({ engine: deps.engine, inFlight: () => tracker.inFlight });
  app.use("*", requestId());
  app.use(
    "*",
    requestLifecycle({
      tracker,
      timeoutMs: resolveRequestLimits(deps.limits).requestTimeoutMs,
      bodyTimeoutMs: resolveRequestLimits(deps.limits).bodyTimeoutMs,
      onDone: (record) => {
        metrics.record(record);
        deps.experiments?.onRequestDone(record);
        deps.onRequestDone?.(record);
      },
    }),
  );
  if (deps.corsOrigins !== undefined && deps.corsOrigins.length > 0) {
    const origins = deps.corsOrigins;
    app.use(
      "*",
      cors({
        origin: origins.includes("*") ? "*" : [...origins],
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: [
          "authorization",
          "content-type",
          "x-request-id",
          "x-urial-variant",
          "openai-organization",
          "openai-project",
          "x-stainless-arch",
          "x-stainless-lang",
          "x-stainless-os",
          "x-stainless-package-version",
          "x-stainless-retry-count",
          "x-stainless-runtime",
          "x-stainless-runtime-version",
          "x-stainless-timeout",
        ],
        exposeHeaders: exposedHeaders,
        maxAge: 600,
      }),
    );
  }
  const guard = browserGuard({ ...(deps.corsOrigins !== undefined ? { corsOrigins: deps.corsOrigins } : {}), ...(deps.allowedHosts !== undefined ? { allowedHosts: deps.allowedHosts } : {}) });
  for (const path of ["/v1/*", "/tokenize", "/metrics", "/health"]) app.use(path, guard);
  const jsonOnly = requireJsonContentType();
  for (const path of ["/v1/chat/completions", "/v1/completions", "/v1/shift", "/v1/feedback", "/tokenize"]) app.use(path, jsonOnly);
  if (deps.apiKeys !== undefined && deps.apiKeys.length > 0) {
    const auth = apiKeyAuth({ keys: deps.apiKeys });
    for (const path of ["/v1/*", "/tokenize", "/apply-template", "/metrics"]) app.use(path, auth);
  }
  const limitBody = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: () => {
      throw new ApiError({
        status: 413,
        type: "invalid_request_error",
        message: `The request body is larger than ${deps.maxBodyBytes} bytes.`,
        code: "request_too_large",
      });
    },
  });
  app.use("/v1/*", limitBody);
  app.use("/tokenize", limitBody);
  app.use("/apply-template", limitBody);
  app.get("/health", healthRoute(deps));
  app.get("/v1/models", listModelsRoute(deps));
  app.get("/v1/models/*", getModelRoute(deps));
  app.post("/v1/chat/completions", chatCompletionsRoute(deps));
  app.post("/v1/completions", completionsRoute(deps));
  app.post("/v1/shift", shiftRoute(deps));
  app.post("/v1/feedback", feedbackRoute(deps));
  app.get("/v1/experiments", listExperimentsRoute(deps));
  app.get("/v1/experiments/:id", getExperimentRoute(deps));
  app.post("/v1/chat/prompt", chatPromptRoute(deps));
  app.get("/v1/exemplar-sets", listExemplarSetsRoute(deps));
  app.post("/v1/votes", postVoteRoute(deps));
  app.get("/v1/votes", listVotesRoute(deps));
  if (deps.playgroundDir !== undefined) {
    const playground = playgroundRoute(deps.playgroundDir);
    for (const path of ["/", "/playground", "/playground/*"]) app.get(path, playground);
  }
  app.post("/tokenize", tokenizeRoute(deps));
  app.post("/apply-template", applyTemplateRoute(deps));
  app.get("/metrics", metricsRoute(metrics));
  // The index: at /v1 always, and at / as the fallback when no playground page is served there.
  const apiIndex = apiIndexRoute(deps, () => app.routes);
  app.get("/v1", apiIndex);
  if (deps.playgroundDir === undefined) app.get("/", apiIndex);
  app.notFound((c) => respondWithError(c, unmatchedRoute(app.routes, c.req.method, c.req.path)));
  app.onError((error, c) => {
    // The client went away: nobody reads this answer, and it is not a server fault.
    if (c.req.raw.signal.aborted) return c.body(null, 499 as 400);
    const response = respondWithError(c, error);
    if (response.status >= 500) deps.onServerError?.(c.get("requestId"), error);
    return response;
  });
  return app;
}
