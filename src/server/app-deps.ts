/**
 * @module server/app-deps
 * Everything the HTTP app needs, passed in so tests can build it with a fake
 * engine and no I/O.
 */
import type { AnswerDeps } from "../answer/answer-deps.js";
import type { ShiftAnalyser } from "../shift/create-shift-analyser.js";
import type { RequestTracker } from "../lifecycle/request-tracker.js";
import type { RequestRecord } from "../telemetry/request-record.js";
import type { ServerMetrics } from "../telemetry/server-metrics.js";
import type { VotesLog } from "../votes/votes-log.js";

/** The answer pipeline's needs (engine, catalog, limits, experiments) plus the HTTP layer's own. */
export interface AppDeps extends AnswerDeps {
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
  /**
   * API keys: when there is at least one, `/v1/*`, `/tokenize` and `/metrics`
   * need `Authorization: Bearer <key>` (401 otherwise); `/health` stays open.
   * Defaults to none (no authentication).
   */
  apiKeys?: readonly string[];
  /** Browser origins allowed to call the API (`*` for any). Defaults to none: no CORS headers at all. */
  corsOrigins?: readonly string[];
  /** The requests in flight, drained on shutdown. Defaults to a tracker of the app's own. */
  tracker?: RequestTracker;
  /** The Prometheus metrics behind `/metrics`. Defaults to a registry of the app's own (without process metrics). */
  metrics?: ServerMetrics;
  /** Receives every request's record once its response is done (the request log). */
  onRequestDone?: (record: RequestRecord) => void;
  /** The playground's votes log behind `POST`/`GET /v1/votes`. Defaults to none (those routes answer 404). */
  votesLog?: VotesLog;
  /**
   * The folder of the playground page (`index.html` and its assets), served at
   * `/`, `/playground` and `/playground/<file>`. Defaults to none (no page).
   */
  playgroundDir?: string;
  /* experiments (from AnswerDeps): also enable `POST /v1/feedback` and `GET /v1/experiments[/:id]` (404 without). */
}
