/**
 * @module answer/answer-deps
 * What the answer pipeline needs from its host (the HTTP app, `urial
 * generate`, `urial ab`): the engine, the exemplar catalog, the limits and,
 * optionally, the online experiments. Nothing here is transport.
 */
import type { ExperimentRegistry } from "../ab/online/experiment-registry.js";
import type { Catalog } from "../catalog/catalog.js";
import type { Engine } from "../engine/engine.js";
import type { SystemMessageMode } from "../openai/conversation-from-messages.js";
import type { RequestLimits } from "./request-limits.js";

export interface AnswerDeps {
  /** The engine once loaded; undefined while the model is still loading (→ `loading`). */
  engine(): Engine | undefined;
  catalog: Catalog;
  /** What a client system message does to the set's system prompt. */
  systemMessageMode: SystemMessageMode;
  /** Limits on messages, text, max_tokens and time; each one left out takes its default (`answer/request-limits`). */
  limits?: Partial<RequestLimits>;
  /**
   * Online A/B experiments: their model ids split chat traffic between
   * variants. Defaults to none.
   */
  experiments?: ExperimentRegistry;
}
