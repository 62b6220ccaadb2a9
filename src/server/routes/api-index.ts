/**
 * @module server/routes/api-index
 * `GET /v1` (and `GET /` when no playground page is installed): what this
 * server offers, read from the registered routes, as JSON for programs or a
 * small HTML page for a browser (`Accept: text/html`).
 */
import type { Context } from "hono";
import { escapeHtml } from "../../report-page/escape-html.js";
import type { AppDeps } from "../app-deps.js";
import { listModelIds } from "../../answer/model-ids.js";
import { listEndpoints, type RegisteredRoute } from "../route-patterns.js";

/** What each route does, by `METHOD path`; a route missing here is listed without a description. */
const descriptions: Readonly<Record<string, string>> = {
  "GET /v1": "this index",
  "POST /v1/chat/completions": "chat answers from the base model through the URIAL prompt (model 'urial' or 'urial/<set>'), streaming or not",
  "POST /v1/completions": "raw text continuation by the base model (model 'base')",
  "GET /v1/models": "the model ids: 'urial', 'urial/<set>' for every exemplar set, 'base'",
  "GET /v1/models/*": "one model id",
  "POST /v1/shift": "token distribution shift of a chat answer (needs --chat-model)",
  "POST /v1/feedback": "a vote on an A/B experiment's answer (needs --experiments)",
  "GET /v1/experiments": "the online A/B experiments and their results so far",
  "GET /v1/experiments/:id": "one experiment's results",
  "POST /v1/chat/prompt": "the exact prompt a chat request would make the model read, without generating",
  "GET /v1/exemplar-sets": "every exemplar set with its model id, version, hash and description",
  "POST /v1/votes": "a preference between two answers (the playground's votes)",
  "GET /v1/votes": "the newest votes",
  "GET /playground": "the playground page",
  "GET /playground/*": "the playground's files",
  "POST /apply-template": "the rendered URIAL prompt for chat messages, as llama-server's route of that name",
  "POST /tokenize": "a text's tokens, counted as /v1/completions counts them",
  "GET /health": "503 while the model loads, then what the server runs",
  "GET /metrics": "Prometheus metrics",
};

/** The index handler; `routes` is the app's live route table. */
export function apiIndexRoute(deps: AppDeps, routes: () => readonly RegisteredRoute[]) {
  return function apiIndex(c: Context): Response {
    const endpoints = listEndpoints(routes())
      .filter((route) => route.path !== "/")
      .map((route) => ({ method: route.method, path: route.path, description: descriptions[`${route.method} ${route.path}`] ?? null }));
    const index = {
      object: "urial.index",
      service: "urial-proxy: an untuned base model aligned in context with URIAL, behind an OpenAI-compatible API",
      base_url: new URL("/v1", c.req.url).toString(),
      status: deps.engine() === undefined ? "loading" : "ok",
      models: listModelIds(deps.catalog),
      default_exemplar_set: deps.catalog.defaultSet.name,
      endpoints,
    };
    if (!(c.req.header("accept") ?? "").includes("text/html")) return c.json(index);
    const rows = endpoints
      .map((endpoint) => `<tr><td><code>${endpoint.method}</code></td><td><code>${escapeHtml(endpoint.path)}</code></td><td>${escapeHtml(endpoint.description ?? "")}</td></tr>`)
      .join("\n");
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>urial-proxy</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.2rem .8rem .2rem 0;vertical-align:top}code{font-size:90%}</style></head>
<body><h1>urial-proxy</h1>
<p>${escapeHtml(index.service)}. Status: <b>${index.status}</b>. Base URL for OpenAI clients: <code>${escapeHtml(index.base_url)}</code>; models: ${index.models.map((model) => `<code>${escapeHtml(model)}</code>`).join(", ")}.</p>
<table>${rows}</table>
<p>From a terminal: <code>npx urial chat --url ${escapeHtml(index.base_url)}</code></p>
</body></html>`);
  };
}
