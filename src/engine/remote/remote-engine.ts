/**
 * @module engine/remote/remote-engine
 * An `Engine` whose model runs elsewhere: one or several OpenAI-compatible
 * servers with `/v1/completions` that host the base model (vLLM,
 * llama-server, TGI, or another urial serving `base`). The HTTP layers render
 * the URIAL prompt and run the answer pipeline exactly as with the local
 * engine; this engine sends the prompt text upstream and relays the stream one
 * upstream chunk per token event, text unchanged, never past the request's
 * `max_tokens` whatever the upstream sends. With several replicas, requests
 * with the same fixed prefix (one exemplar set) go to the same replica, where
 * that prefix is cached, spilling to the least-loaded one when it is full; a
 * request that fails before its first token is retried on the next replica.
 * `--parallel` bounds the requests in flight per healthy replica and
 * `--max-queue` the ones waiting. Prompt counts come from the upstream
 * (`/tokenize`, then its `usage`), or an estimate.
 */
import {
  PromptTooLongError,
  UnsupportedFeatureError,
  UpstreamError,
  type Engine,
  type EngineInfo,
  type EngineSlot,
  type EngineStatus,
  type GenerateOptions,
  type GenerationEvent,
  type GeneratedToken,
  type OutputConstraint,
} from "../engine.js";
import { AdmissionGate } from "./admission-gate.js";
import { affinityKey } from "./affinity-key.js";
import { CompletionBudget } from "./completion-budget.js";
import { completionRequestBody } from "./completion-request-body.js";
import type { UpstreamToken, UpstreamUsage } from "./completion-chunk.js";
import { lowTokenEstimate, type TokenizerMode } from "./token-count.js";
import { UpstreamFleet } from "./upstream-fleet.js";
import type { UpstreamReplica } from "./upstream-replica.js";
import { parseUpstreamUrl } from "./upstream-url.js";

export interface RemoteEngineOptions {
  /** The upstream (`http://host:8000`, or its `/v1` base), or several replicas of it serving the same model. */
  url: string | readonly string[];
  /** The model name sent upstream. Defaults to the upstream's `base` when it lists one (a urial upstream), else the first model it lists. */
  model?: string;
  /** Sent as a Bearer token to the upstream; never logged. */
  apiKey?: string;
  /** Tokens per request (prompt + answer). Defaults to what the upstreams report (vLLM's max_model_len, llama-server's n_ctx, urial's context_size; the smallest), else 4096. */
  contextSize?: number;
  /** Requests generating at once on each upstream. */
  parallel: number;
  /** Requests that may wait for one of those before new ones get 429. */
  maxQueue: number;
  /** Longest wait for the upstream's answer, and between two chunks, in ms. Defaults to 60 000. */
  timeoutMs?: number;
  /** How prompts are counted: the upstream's /tokenize when it has one (`auto`, the default), insist on it (`upstream`), or estimate. */
  tokenizer?: TokenizerMode;
  /** Time between two health checks of each upstream, in ms; 0 turns them off. Defaults to 5000. */
  healthIntervalMs?: number;
  /** Receives one line about what was found at start-up, and one each time an upstream goes down or comes back. */
  onNotice?: (message: string) => void;
}

/** Bytes an upstream may stream per token asked for (text, logprobs, JSON framing), plus a fixed allowance. */
const streamBytesPerToken = 16 * 1024;
const streamBytesBase = 1024 * 1024;

/** Connects to the upstreams (one probe each: models, context size, tokenizer) and returns a ready engine; throws `UpstreamError` when none can serve. */
export async function startRemoteEngine(options: RemoteEngineOptions): Promise<Engine> {
  const urls = (typeof options.url === "string" ? [options.url] : options.url).map(parseUpstreamUrl);
  if (urls.length === 0) throw new UpstreamError("protocol", "no upstream URL was given");
  const fleet = await UpstreamFleet.connect({
    urls,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 60_000,
    model: options.model,
    contextSize: options.contextSize,
    tokenizer: options.tokenizer ?? "auto",
    parallel: options.parallel,
    healthIntervalMs: options.healthIntervalMs ?? 5000,
    onNotice: options.onNotice,
  });
  const first = fleet.replicas.find((replica) => replica.up)!;
  const counting = first.counter.kind === "estimate" ? "by estimate (the upstream has no /tokenize)" : "by its /tokenize";
  const where = urls.length === 1 ? `upstream ${urls[0]!.v1}` : `${urls.length} upstream replicas (${fleet.upCount} up)`;
  options.onNotice?.(
    `${where}: model '${fleet.model}', context ${fleet.contextSize} tokens${options.contextSize === undefined && !fleet.contextReported ? " (not reported by the upstream: pass --context-size)" : ""}, prompts counted ${counting}`,
  );
  for (const replica of fleet.replicas.filter((item) => !item.up)) options.onNotice?.(`upstream ${replica.url.v1} is down: ${replica.reason}; it joins when it answers`);
  const upstreams = urls.map((url) => url.v1).join(", ");
  const info: EngineInfo = {
    modelName: fleet.model,
    modelPath: upstreams,
    contextSize: fleet.contextSize,
    trainContextSize: fleet.contextSize,
    threads: 0,
    parallel: options.parallel * urls.length,
    gpu: false,
    gpuLayers: 0,
    maxQueue: options.maxQueue,
    hasChatTemplate: false,
    upstream: upstreams,
  };
  return new RemoteEngine(fleet, info, options.parallel, options.maxQueue);
}

class RemoteEngine implements Engine {
  readonly info: EngineInfo;
  readonly #fleet: UpstreamFleet;
  readonly #gate: AdmissionGate;
  /** Aborted on dispose: ends every upstream request still running. */
  readonly #life = new AbortController();
  #disposed = false;

  constructor(fleet: UpstreamFleet, info: EngineInfo, parallel: number, maxQueue: number) {
    this.info = info;
    this.#fleet = fleet;
    // Losing a replica lowers what is admitted; its return lets waiters in.
    this.#gate = new AdmissionGate(() => parallel * Math.max(1, fleet.upCount), maxQueue);
    fleet.onChange = () => this.#gate.wake();
  }

  /** A low estimate: the exact count is asked from the upstream when the generation starts. */
  tokenize(text: string): number[] {
    this.#ensureAlive();
    return new Array<number>(lowTokenEstimate(text)).fill(0);
  }

  async acquire(_prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot> {
    this.#ensureAlive();
    const release = await this.#gate.acquire(signal);
    return {
      generate: (_tokens, options) => this.#generate(options),
      release,
    };
  }

  async prepareConstraint(constraint: OutputConstraint): Promise<void> {
    this.#ensureAlive();
    throw new UnsupportedFeatureError(
      `response_format '${constraint.type}' is not available with a remote engine: the grammar would have to be enforced by the upstream, and not every OpenAI-compatible server does.`,
      "response_format",
    );
  }

  status(): EngineStatus {
    const unavailable = this.#fleet.unavailableReason();
    return {
      busySequences: this.#gate.admitted,
      queued: this.#gate.queued,
      ...(unavailable !== undefined ? { unavailable } : {}),
      upstreams: this.#fleet.status(),
    };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#fleet.dispose();
    this.#life.abort(new Error("the engine was disposed"));
  }

  #ensureAlive(): void {
    if (this.#disposed) throw new Error("the engine was disposed");
  }

  /** Runs one generation on the prefix's replica, moving to the next one while nothing has been yielded yet. */
  async *#generate(options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const text = options.promptText;
    if (text === undefined) throw new Error("the remote engine needs the prompt text (GenerateOptions.promptText)");
    const linked = linkSignals(options.signal, this.#life.signal);
    const signal = linked.signal;
    const key = affinityKey(text, options.promptPrefixChars);
    const tried = new Set<number>();
    /** Replicas whose connection failed once: a second failure means it is gone. */
    const unreachableOnce = new Set<number>();
    let lastError: unknown;
    /** The replica of the failed attempt before this one. */
    let previous: UpstreamReplica | undefined;
    try {
      for (;;) {
        signal.throwIfAborted();
        const routed = this.#fleet.pick(key, tried);
        if (routed === undefined) throw lastError ?? new UpstreamError("unavailable", this.#fleet.unavailableReason() ?? "no upstream is up");
        const { replica, index } = routed;
        const moved = previous !== undefined && previous !== replica;
        if (moved) previous!.countFailedOver();
        replica.countRequest(routed.route, moved);
        replica.inFlight += 1;
        let started = false;
        try {
          for await (const event of generateOn(replica, this.#fleet.model, this.#fleet.contextSize, text, options, signal)) {
            started = true;
            yield event;
          }
          return;
        } catch (error) {
          const retry = !started && !signal.aborted && canRetryElsewhere(error);
          // A connection that failed (a kept-alive one the server had closed, or a dead server) is
          // tried once more on the same replica, and reported so its health is checked at once.
          const unreachable = retry && error instanceof UpstreamError && error.failure === "unavailable";
          const again = unreachable && !unreachableOnce.has(index);
          if (error instanceof UpstreamError || retry) replica.countError();
          if (!retry) throw error;
          lastError = error;
          previous = replica;
          if (unreachable) this.#fleet.reportUnreachable(replica);
          if (again) unreachableOnce.add(index);
          else tried.add(index);
        } finally {
          replica.inFlight -= 1;
        }
      }
    } finally {
      linked.unlink();
    }
  }
}

/**
 * Whether a failure before the first token may be retried on another replica:
 * the replica was unreachable, silent, busy, broken or spoke no completions
 * stream; not when the prompt itself was refused (400/413/422) or too long.
 */
function canRetryElsewhere(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  if (error.failure !== "status") return true;
  const status = error.upstreamStatus ?? 500;
  return status >= 500 || status === 429 || status === 408;
}

/** One generation on one replica: count the prompt there, stream, stop at the budget. */
async function* generateOn(replica: UpstreamReplica, model: string, contextSize: number, text: string, options: GenerateOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
  signal.throwIfAborted();
  const promptTokens = await replica.counter.count(text, signal);
  const room = contextSize - promptTokens;
  if (room < 1) throw new PromptTooLongError(promptTokens, contextSize, 1, null, false, true);
  // Like the local engine, never ask for more than the context holds.
  const maxTokens = Math.min(options.maxTokens, room);
  const budget = new CompletionBudget(maxTokens);

  let prefilled = false;
  let finishReason: string | null = null;
  let usage: UpstreamUsage | null = null;
  let done = false;
  let cut = false;
  const stream = replica.client.streamCompletion(completionRequestBody(model, text, maxTokens, options), signal, streamBytesBase + maxTokens * streamBytesPerToken);
  reading: for await (const event of stream) {
    if (event === "done") {
      done = true;
      break;
    }
    if (event.type === "error") throw new UpstreamError("status", event.message, 500);
    if (event.usage) usage = event.usage;
    if (event.finishReason !== null) finishReason = event.finishReason;
    if (event.text.length === 0) continue;
    if (!prefilled) {
      prefilled = true;
      yield { type: "prefilled", promptTokens, cachedTokens: event.usage?.cachedTokens ?? 0 };
    }
    for (const token of tokensOf(event.text, event.tokens, options.topLogprobs)) {
      const share = budget.take(token.text);
      // More text than was asked for: the upstream ignored max_tokens.
      if (share === undefined) {
        cut = true;
        break reading;
      }
      yield { type: "token", token: share.text === token.text ? token : { ...token, text: share.text, bytes: bytesOf(share.text) } };
      if (share.text.length < token.text.length) {
        cut = true;
        break reading;
      }
    }
  }
  // Leaving the loop early closed the upstream stream (that is how it learns to stop).
  if (!cut && !done && finishReason === null) throw new UpstreamError("protocol", "the upstream closed the stream before the completion finished");
  if (!prefilled) yield { type: "prefilled", promptTokens, cachedTokens: usage?.cachedTokens ?? 0 };
  // An upstream may put several tokens in one chunk, so its own count is the better one, unless it overran.
  const counted = cut || usage === null || usage.completionTokens > maxTokens ? null : usage;
  if (usage) replica.countUsage(usage.promptTokens, usage.cachedTokens ?? 0, counted?.completionTokens ?? budget.tokens);
  yield {
    type: "end",
    reason: cut || finishReason === "length" ? "length" : "eos",
    completionTokens: counted?.completionTokens ?? budget.tokens,
    ...(usage ? { usage: { promptTokens: usage.promptTokens, cachedTokens: usage.cachedTokens ?? 0, completionTokens: counted?.completionTokens ?? budget.tokens } } : {}),
  };
}

/**
 * One token event per upstream chunk, its text unchanged. When logprobs were
 * asked for and the chunk's tokens spell its text exactly, one event per token
 * instead, each with its logprobs (token ids are not known remotely: 0).
 */
function tokensOf(text: string, tokens: UpstreamToken[] | null, topLogprobs: number | undefined): GeneratedToken[] {
  if (topLogprobs !== undefined && tokens !== null && tokens.length > 0 && tokens.map((token) => token.text).join("") === text) {
    return tokens.map((token) => ({
      id: 0,
      text: token.text,
      bytes: bytesOf(token.text),
      logprob: token.logprob,
      top: token.top.slice(0, topLogprobs).map((choice) => ({ text: choice.text, bytes: bytesOf(choice.text), logprob: choice.logprob })),
    }));
  }
  return [{ id: -1, text, bytes: bytesOf(text), logprob: 0, top: [] }];
}

/** A signal aborted by either source (listeners removed by `unlink`, so a long-lived source keeps nothing). */
function linkSignals(first: AbortSignal | undefined, second: AbortSignal): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const sources = first === undefined ? [second] : [first, second];
  const listeners = sources.map((source) => {
    const listener = () => controller.abort(source.reason);
    if (source.aborted) listener();
    else source.addEventListener("abort", listener, { once: true });
    return () => source.removeEventListener("abort", listener);
  });
  return { signal: controller.signal, unlink: () => listeners.forEach((remove) => remove()) };
}

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, "utf8")];
}
