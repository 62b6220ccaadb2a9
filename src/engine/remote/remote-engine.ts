/**
 * @module engine/remote/remote-engine
 * An `Engine` whose model runs elsewhere: any OpenAI-compatible server with
 * `/v1/completions` that hosts the base model (vLLM, llama-server, TGI, or
 * another urial serving `base`). The HTTP layers render the URIAL prompt and
 * run the answer pipeline exactly as with the local engine; this engine sends
 * the prompt text upstream and relays the stream one upstream chunk per token
 * event, text unchanged. `--parallel` bounds the requests in flight upstream
 * and `--max-queue` the ones waiting, as for local sequences. Prompt counts
 * come from the upstream (`/tokenize`, then its `usage`), or an estimate.
 */
import { acquireSlot, SequencePool, type PoolMember } from "../sequence-pool.js";
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
import { completionRequestBody } from "./completion-request-body.js";
import type { UpstreamToken, UpstreamUsage } from "./completion-chunk.js";
import { lowTokenEstimate, probeTokenCounter, type TokenCounter, type TokenizerMode } from "./token-count.js";
import { UpstreamClient } from "./upstream-client.js";
import { parseUpstreamUrl } from "./upstream-url.js";
import { probeUpstream } from "./probe-upstream.js";

export interface RemoteEngineOptions {
  /** The upstream: `http://host:8000`, or its `/v1` base. */
  url: string;
  /** The model name sent upstream. Defaults to the upstream's `base` when it lists one (a urial upstream), else the first model it lists. */
  model?: string;
  /** Sent as a Bearer token to the upstream; never logged. */
  apiKey?: string;
  /** Tokens per request (prompt + answer). Defaults to what the upstream reports (vLLM's max_model_len, llama-server's n_ctx, urial's context_size), else 4096. */
  contextSize?: number;
  /** Requests generating upstream at once. */
  parallel: number;
  /** Requests that may wait for one of those before new ones get 429. */
  maxQueue: number;
  /** Longest wait for the upstream's answer, and between two chunks, in ms. Defaults to 60 000. */
  timeoutMs?: number;
  /** How prompts are counted: the upstream's /tokenize when it has one (`auto`, the default), insist on it (`upstream`), or estimate. */
  tokenizer?: TokenizerMode;
  /** Receives one line about what was found at start-up. */
  onNotice?: (message: string) => void;
}

/** Context size assumed when the upstream does not tell. */
const fallbackContextSize = 4096;

/** Connects to the upstream (one probe: models, context size, tokenizer) and returns a ready engine; throws `UpstreamError` when it cannot. */
export async function startRemoteEngine(options: RemoteEngineOptions): Promise<Engine> {
  const url = parseUpstreamUrl(options.url);
  const client = new UpstreamClient({ url, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 60_000 });
  const found = await probeUpstream(client, options.model);
  const counter = await probeTokenCounter(client, found.model, options.tokenizer ?? "auto");
  const contextSize = options.contextSize ?? found.contextSize ?? fallbackContextSize;
  options.onNotice?.(
    `upstream ${url.v1}: model '${found.model}', context ${contextSize} tokens${options.contextSize === undefined && found.contextSize === undefined ? " (not reported by the upstream: pass --context-size)" : ""}, prompts counted ${counter.kind === "estimate" ? "by estimate (the upstream has no /tokenize)" : "by its /tokenize"}`,
  );
  const info: EngineInfo = {
    modelName: found.model,
    modelPath: url.v1,
    contextSize,
    trainContextSize: contextSize,
    threads: 0,
    parallel: options.parallel,
    gpu: false,
    gpuLayers: 0,
    maxQueue: options.maxQueue,
    hasChatTemplate: false,
    upstream: url.v1,
  };
  return new RemoteEngine(client, found.model, counter, info);
}

class RemoteEngine implements Engine {
  readonly info: EngineInfo;
  readonly #pool: SequencePool<RemoteLane>;
  /** Aborted on dispose: ends every upstream request still running. */
  readonly #life = new AbortController();
  #disposed = false;

  constructor(client: UpstreamClient, model: string, counter: TokenCounter, info: EngineInfo) {
    this.info = info;
    const lanes = Array.from({ length: info.parallel }, () => new RemoteLane(client, model, counter, info.contextSize, this.#life.signal));
    this.#pool = new SequencePool(lanes, info.maxQueue);
  }

  /** A low estimate: the exact count is asked from the upstream when the generation starts. */
  tokenize(text: string): number[] {
    this.#ensureAlive();
    return new Array<number>(lowTokenEstimate(text)).fill(0);
  }

  async acquire(prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot> {
    this.#ensureAlive();
    return acquireSlot(this.#pool, prompt, signal);
  }

  async prepareConstraint(constraint: OutputConstraint): Promise<void> {
    this.#ensureAlive();
    throw new UnsupportedFeatureError(
      `response_format '${constraint.type}' is not available with a remote engine: the grammar would have to be enforced by the upstream, and not every OpenAI-compatible server does.`,
      "response_format",
    );
  }

  status(): EngineStatus {
    return { busySequences: this.#pool.busy, queued: this.#pool.queued };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#life.abort(new Error("the engine was disposed"));
  }

  #ensureAlive(): void {
    if (this.#disposed) throw new Error("the engine was disposed");
  }
}

/** One slot of upstream concurrency (no local KV cache, so no prefix affinity). */
class RemoteLane implements PoolMember {
  readonly #client: UpstreamClient;
  readonly #model: string;
  readonly #counter: TokenCounter;
  readonly #contextSize: number;
  readonly #life: AbortSignal;

  constructor(client: UpstreamClient, model: string, counter: TokenCounter, contextSize: number, life: AbortSignal) {
    this.#client = client;
    this.#model = model;
    this.#counter = counter;
    this.#contextSize = contextSize;
    this.#life = life;
  }

  cachedTokens(): readonly number[] {
    return [];
  }

  async *generate(_prompt: readonly number[], options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const text = options.promptText;
    if (text === undefined) throw new Error("the remote engine needs the prompt text (GenerateOptions.promptText)");
    const linked = linkSignals(options.signal, this.#life);
    try {
      yield* this.#run(text, options, linked.signal);
    } finally {
      linked.unlink();
    }
  }

  async *#run(text: string, options: GenerateOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    signal.throwIfAborted();
    const promptTokens = await this.#counter.count(text, signal);
    const room = this.#contextSize - promptTokens;
    if (room < 1) throw new PromptTooLongError(promptTokens, this.#contextSize, 1, null, false, true);
    // Like the local engine, never ask for more than the context holds.
    const maxTokens = Math.min(options.maxTokens, room);

    let prefilled = false;
    let chunks = 0;
    let finishReason: string | null = null;
    let usage: UpstreamUsage | null = null;
    let done = false;
    for await (const event of this.#client.streamCompletion(completionRequestBody(this.#model, text, maxTokens, options), signal)) {
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
      chunks += 1;
      for (const token of tokensOf(event.text, event.tokens, options.topLogprobs)) yield { type: "token", token };
    }
    if (!done && finishReason === null) throw new UpstreamError("protocol", "the upstream closed the stream before the completion finished");
    if (!prefilled) yield { type: "prefilled", promptTokens, cachedTokens: usage?.cachedTokens ?? 0 };
    yield {
      type: "end",
      reason: finishReason === "length" ? "length" : "eos",
      completionTokens: usage?.completionTokens ?? chunks,
      ...(usage ? { usage: { promptTokens: usage.promptTokens, cachedTokens: usage.cachedTokens ?? 0, completionTokens: usage.completionTokens } } : {}),
    };
  }
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
