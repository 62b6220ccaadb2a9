/**
 * @module server/app-deps
 * Everything the HTTP app needs, passed in so tests can build it with a fake
 * engine and no I/O.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Engine } from "../engine/engine.js";
import type { SystemMessageMode } from "../openai/conversation-from-messages.js";
import type { ShiftAnalyser } from "../shift/create-shift-analyser.js";

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
}
