/**
 * @module server/app-deps
 * Everything the HTTP app needs, passed in so tests can build it with a fake
 * engine and no I/O.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Engine } from "../engine/engine.js";
import type { SystemMessageMode } from "../openai/conversation-from-messages.js";
import type { ShiftAnalyser } from "../shift/create-shift-analyser.js";
import type { RequestLimits } from "../limits/request-limits.js";
import type { RequestTracker } from "../lifecycle/request-tracker.js";
import type { RequestRecord } from "../telemetry/request-record.js";
import type { ServerMetrics } from "../telemetry/server-metrics.js";
import type { ExperimentRegistry } from "../ab/experiment-registry.js";

export interface AppDeps {
  /** The engine once loaded; undefined while the model is still loading (→ 503). */
  engine(): Engine | undefined;
  catalog: Catalog;
  /** What a client system message does to the set's system prompt. */
  systemMessageMode: SystemMessageMode;
  /** Largest accepted request body in bytes (413 above). */
  maxBodyBytes: number;
  /**
   * The token-distribution-shift analyser behind `POST /v1/shift`: absent
   * unless the server was started with `--chat-model` (→ 404); returns
   * undefined while its models load (→ 503).
   */
  shift?: () => ShiftAnalyser | undefined;
  /** Receives one record per failed request with a 5xx status. */
  onServerError?: (requestId: string, error: unknown) => void;
  /** Limits on messages, text, max_tokens and time; each one left out takes its default (`limits/request-limits`). */
  limits?: Partial<RequestLimits>;
  /**
   * API keys: when there is at least one, `/v1/*`, `/tokenize` and `/metrics`
   * need `Authorization: Bearer <key>` (401 otherwise); `/health` stays open.
   * Defaults to none (no authentication).
   */
  apiKeys?: readonly string[];
  /**
   * Browser origins allowed to call the API (`*` for any). Defaults to none:
   * no CORS headers, and requests from other web origins get 403 (the
   * server's own origin, e.g. a page it serves, is always allowed).
   */
  corsOrigins?: readonly string[];
  /**
   * Host names the `Host` header may carry (`*`: any); others get 403 (DNS
   * rebinding). Defaults to no check; `urial serve` bound to loopback passes
   * the loopback names (`server/middleware/browser-guard`).
   */
  allowedHosts?: readonly string[];
  /** The requests in flight, drained on shutdown. Defaults to a tracker of the app's own. */
  tracker?: RequestTracker;
  /** The Prometheus metrics behind `/metrics`. Defaults to a registry of the app's own (without process metrics). */
  metrics?: ServerMetrics;
  /** Receives every request's record once its response is done (the request log). */
  onRequestDone?: (record: RequestRecord) => void;
  /**
   * Online A/B experiments (`--experiments FILE`): their model ids split chat
   * traffic between variants; enables `POST /v1/feedback` and
   * `GET /v1/experiments[/:id]`. Defaults to none (those routes answer 404).
   */
  experiments?: ExperimentRegistry;
}
