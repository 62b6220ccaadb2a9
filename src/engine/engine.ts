/**
 * @module engine/engine
 * The contract between the HTTP layers and whatever runs the model: a real
 * node-llama-cpp engine in production, a deterministic fake in unit tests.
 * Types only; nothing here imports node-llama-cpp.
 */
import type { DecodeStats } from "./decode-timing.js";

/** Sampling settings, already resolved from a request (see `openai/to-sampling-options`). */
export interface SamplingOptions {
  /** 0 means greedy. */
  temperature: number;
  /** 0 disables top-k. */
  topK: number;
  /** 1 disables top-p. */
  topP: number;
  /** 0 disables min-p. */
  minP: number;
  /** Undefined: a fresh random seed. */
  seed?: number;
  /** 1 disables the repetition penalty. */
  repeatPenalty: number;
  frequencyPenalty: number;
  presencePenalty: number;
  /** How many of the latest tokens the penalties look at. */
  penaltyLastTokens: number;
}

/** A grammar the output must follow. */
export type OutputConstraint = { type: "json_object" } | { type: "json_schema"; schema: Record<string, unknown> };

export interface GenerateOptions {
  /** Upper bound on generated tokens; the engine also stops when the context is full. */
  maxTokens: number;
  sampling: SamplingOptions;
  constraint?: OutputConstraint;
  /** Report each token's log-probability and this many alternatives (0–20). Undefined: none. */
  topLogprobs?: number;
  /**
   * How many leading prompt tokens are the exemplar set's fixed prefix; the
   * engine may save and restore their KV state across restarts. 0 or undefined: none.
   */
  reusablePrefix?: number;
  /** Aborts prefill or generation; the sequence is freed either way. */
  signal?: AbortSignal;
  /**
   * The text `prompt` was tokenized from. Engines that run the model elsewhere
   * (the remote engine) send this text; the local engine uses the tokens.
   */
  promptText?: string;
  /**
   * How many leading characters of `promptText` are the exemplar set's fixed
   * prefix (system prompt and exemplars). An engine with several upstream
   * replicas sends prompts with the same prefix to the same replica, where
   * that prefix is cached. 0 or undefined: none known.
   */
  promptPrefixChars?: number;
}

/** One alternative token at a position. */
export interface TokenChoice {
  text: string;
  /** The token's UTF-8 bytes; empty unless logprobs were requested. */
  bytes: number[];
  logprob: number;
}

/** A generated token. `text` concatenated over all tokens equals the decoded output. */
export interface GeneratedToken extends TokenChoice {
  id: number;
  /** Alternatives, best first (empty unless requested). */
  top: TokenChoice[];
}

export type GenerationEvent =
  /** Prefill finished: how many prompt tokens there were, and how many came from the KV cache. */
  | { type: "prefilled"; promptTokens: number; cachedTokens: number; restoredTokens?: number; copiedTokens?: number }
  | { type: "token"; token: GeneratedToken }
  /**
   * `eos`: the model ended (or a grammar completed); `length`: maxTokens or the context is full.
   * `usage`: the engine's own final count when it has one that the earlier
   * events could not give (a remote engine's upstream usage, which arrives
   * last); it replaces what `prefilled` and the token events counted. Local
   * engines leave it out.
   */
  | { type: "end"; reason: "eos" | "length"; completionTokens: number; usage?: EngineUsage };

/** Token counts an engine reports for one generation. */
export interface EngineUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** A sequence leased to one request; generations on it run one at a time. */
export interface EngineSlot {
  /** Runs one generation; breaking out of the loop stops it at once. */
  generate(prompt: readonly number[], options: GenerateOptions): AsyncIterable<GenerationEvent>;
  /** Returns the sequence to the pool (idempotent). */
  release(): void;
}

export interface EngineInfo {
  /** Display name (GGUF `general.name`, else the file name). */
  modelName: string;
  modelPath: string;
  /** Tokens per sequence. */
  contextSize: number;
  trainContextSize: number;
  /** Decode threads. */
  threads: number;
  /** Prefill (batch) threads; equal to `threads` where an engine has one count. */
  batchThreads?: number;
  /** With `--threads auto`: decode tokens/s measured per thread count at start-up (empty otherwise). */
  threadSweep?: { threads: number; tokensPerSecond: number }[];
  /** How the thread counts were chosen (and how long measuring took), for the start-up log. */
  threadChoice?: string;
  parallel: number;
  gpu: string | false;
  gpuLayers: number;
  /** Flash attention as the context was created with it (`"auto"`: llama.cpp decides per device). */
  flashAttention?: boolean | "auto";
  maxQueue: number;
  /** True when the GGUF carries a chat template (i.e. it is probably not a base model). */
  hasChatTemplate: boolean;
  /** ms spent at start-up running the serving batch shapes on the GPU (undefined: not run). */
  warmUpMs?: number;
  /** Where prefix states are saved across restarts; null when they are not. */
  prefixStatesDir?: string | null;
  /** Where generation runs when not in this process: the remote engine's upstream URL (without credentials). */
  upstream?: string;
}

/** A point-in-time view of the pool, for /health and metrics. */
export interface EngineStatus {
  busySequences: number;
  queued: number;
  /** Local engines: where generated tokens' time went since start-up, and the decode rounds (see decode-rounds). */
  decode?: DecodeStats & { rounds: number; expiredRounds: number };
  /** Set while the engine cannot serve at all (a remote engine whose upstreams are all down): why. */
  unavailable?: string;
  /** A remote engine's upstream replicas, in the order they were given. */
  upstreams?: UpstreamReplicaStatus[];
}

/** One upstream replica of a remote engine: its health, load and counts since start-up. */
export interface UpstreamReplicaStatus {
  /** Its `/v1` base URL. */
  url: string;
  /** `up`: serving; `down`: failed its last health check or request (see `reason`). */
  state: "up" | "down";
  /** Why it is down (null while up). */
  reason: string | null;
  /** Requests it serves now, and at most (`--parallel`). */
  inFlight: number;
  capacity: number;
  /**
   * Requests sent to it, by how it was chosen: `affinity` (their prefix's
   * replica), `spill` (that one was saturated), `overload` (all were),
   * `unhealthy` (none was up, tried anyway).
   */
  requests: { affinity: number; spill: number; overload: number; unhealthy: number };
  /** Requests it failed (before or after their first token). */
  errors: number;
  /** Requests that failed here before their first token and were retried on another replica. */
  failedOver: number;
  /** Requests it took over that way from another replica (also counted in `requests`). */
  tookOver: number;
  /** Token counts from its `usage` (cached: `prompt_tokens_details.cached_tokens`). */
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

export interface Engine {
  readonly info: EngineInfo;
  /**
   * Tokenizes a whole prompt, adding BOS where the model wants it. A remote
   * engine answers with a lower-bound estimate here (its upstream's exact
   * count arrives with `prefilled`), so checks made with it never reject a
   * prompt that fits.
   */
  tokenize(text: string): number[];
  /**
   * Waits for a free sequence (the one sharing the longest prefix with
   * `prompt`); throws `QueueFullError` at once when the queue is full and
   * rejects with the signal's reason if aborted while waiting.
   */
  acquire(prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot>;
  /**
   * Builds (and caches) the grammar for a constraint, so a schema the engine
   * cannot handle fails with `UnsupportedSchemaError` before a response starts.
   */
  prepareConstraint(constraint: OutputConstraint): Promise<void>;
  status(): EngineStatus;
  dispose(): Promise<void>;
}

/** Thrown by `acquire` when `maxQueue` requests are already waiting. */
export class QueueFullError extends Error {
  constructor(readonly queued: number) {
    super(`the request queue is full (${queued} waiting)`);
    this.name = "QueueFullError";
  }
}

/** Thrown by the engine when a grammar cannot be built from a JSON schema. */
export class UnsupportedSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedSchemaError";
  }
}

/** Thrown by an engine that cannot do what a request field asks (e.g. a grammar on a remote engine). */
export class UnsupportedFeatureError extends Error {
  constructor(
    message: string,
    /** The request field to blame. */
    readonly param: string,
  ) {
    super(message);
    this.name = "UnsupportedFeatureError";
  }
}

/**
 * The prompt and the requested tokens do not fit the context: thrown by the
 * answer pipeline's budget check, and by an engine whose exact prompt count
 * is known only at generation (the remote engine). One class, so the client
 * gets one `context_length_exceeded` message.
 */
/** What a chat prompt is made of, for the context error (see `PromptTooLongError`). */
export interface PromptComposition {
  set: { name: string; prefixTokens: number };
  otherSets: readonly { name: string; promptTokens: number }[];
}

export class PromptTooLongError extends Error {
  constructor(
    readonly promptTokens: number,
    readonly contextSize: number,
    /** Tokens the request needs after the prompt (max_tokens, or 1). */
    readonly wanted: number,
    /** The request field to blame. */
    readonly param: string | null = null,
    /** `wanted` is the request's max_tokens (false: the 1 token any answer needs). */
    readonly requested = false,
    /** Counted by a remote upstream's tokenizer, not this process's. */
    readonly countedByUpstream = false,
    /**
     * For a chat prompt: the exemplar set's share of it, and the other sets'
     * whole prompts for the same messages, so the error can name a set that
     * fits. Plain data, filled in by the answer pipeline.
     */
    readonly composition?: PromptComposition,
  ) {
    super(`the prompt has ${promptTokens} tokens; with ${wanted} more it does not fit a context of ${contextSize}`);
    this.name = "PromptTooLongError";
  }
}

/** Why a remote engine's upstream failed; see `UpstreamError`. */
export type UpstreamFailure =
  /** The upstream could not be reached (connection refused, DNS, reset before an answer). */
  | "unavailable"
  /** No answer, or no next chunk, within the upstream timeout. */
  | "timeout"
  /** The upstream answered with an HTTP error status. */
  | "status"
  /** The upstream answered something that is not an OpenAI completions stream. */
  | "protocol";

/** Thrown by a remote engine when its upstream fails; mapped to 502/503/504 (or 400 for a rejected prompt). */
export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    /** The upstream's HTTP status, for `status` failures. */
    readonly upstreamStatus?: number,
    /** The upstream's Retry-After, when it sent one. */
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}
