/**
 * @module test/support/fake-engine
 * A deterministic `Engine` for the layers above the engine (routes, SSE,
 * errors, queueing). It tokenizes one token per character (the token id is
 * the code point; no BOS), "generates" a scripted text one character per
 * token, and keeps a real `SequencePool` in front of its slots, so queueing,
 * 429s and prefix-affinity behave as in production. Every generation is
 * recorded for assertions.
 */
import {
  UnsupportedSchemaError,
  type Engine,
  type EngineInfo,
  type EngineSlot,
  type EngineStatus,
  type GenerateOptions,
  type GeneratedToken,
  type GenerationEvent,
  type OutputConstraint,
  type TokenChoice,
} from "../../src/engine/engine.js";
import { commonPrefixLength, SequencePool, type PoolMember } from "../../src/engine/sequence-pool.js";

/** What a script function is told about the generation it scripts. */
export interface ScriptRequest {
  /** The prompt decoded back to text (the whole rendered prompt). */
  promptText: string;
  /** 0 for the first generation this engine runs, 1 for the next, … */
  call: number;
}

export type Script = string | ((request: ScriptRequest) => string);

/** Scripted tokens given as text pieces, one token each (for tokens longer than a character). */
export type PieceScript = readonly string[] | ((request: ScriptRequest) => readonly string[]);

export interface FakeEngineOptions {
  /** The text each generation produces. Defaults to `"Hello from the fake engine."`. */
  script?: Script;
  /**
   * When set, each generation yields these pieces, one token per piece,
   * instead of the script's characters (`script` is then ignored). Defaults to
   * undefined. A piece's token id is its first code point.
   */
  pieces?: PieceScript;
  /** Slots that generate at once. Defaults to 1. */
  parallel?: number;
  /** Requests that may wait for a slot. Defaults to 4. */
  maxQueue?: number;
  /** Tokens (characters) per slot. Defaults to 4096. */
  contextSize?: number;
  /** Milliseconds before each generated token. Defaults to 0. */
  tokenDelayMs?: number;
  /** Throw `FakeEngineFailure` instead of producing token number `failAfterTokens` (0-based). Defaults to never. */
  failAfterTokens?: number;
  /** When set, `prepareConstraint` rejects every constraint with `UnsupportedSchemaError(rejectConstraints)`. */
  rejectConstraints?: string;
}

/** The error a scripted failure throws (a plain engine error, so the app maps it to 500). */
export class FakeEngineFailure extends Error {
  constructor(message = "the fake engine failed on purpose") {
    super(message);
    this.name = "FakeEngineFailure";
  }
}

/** How a recorded generation ended. */
export type CallOutcome = "running" | "eos" | "length" | "aborted" | "failed" | "closed";

/** One recorded `generate` call. */
export interface FakeGenerateCall {
  /** Which slot ran it (0-based). */
  slot: number;
  prompt: number[];
  promptText: string;
  options: GenerateOptions;
  cachedTokens: number;
  /** Tokens yielded so far. */
  tokens: number;
  outcome: CallOutcome;
}

const defaultScript = "Hello from the fake engine.";

/** Decodes fake tokens (code points) back to text. */
export function fakeDetokenize(tokens: readonly number[]): string {
  return tokens.map((token) => String.fromCodePoint(token)).join("");
}

/** Encodes text as fake tokens: one per code point, no BOS. */
export function fakeTokenize(text: string): number[] {
  return Array.from(text, (character) => character.codePointAt(0)!);
}

export class FakeEngine implements Engine {
  readonly info: EngineInfo;
  /** Mutable per test. */
  script: Script;
  /** Mutable per test; overrides `script` when set. */
  pieces: PieceScript | undefined;
  tokenDelayMs: number;
  failAfterTokens: number | undefined;
  rejectConstraints: string | undefined;
  /** Constraints passed to `prepareConstraint`, in order. */
  readonly preparedConstraints: OutputConstraint[] = [];
  /** Every generation, in the order they started. */
  readonly calls: FakeGenerateCall[] = [];
  /** Prompts passed to `acquire`, decoded. */
  readonly acquired: string[] = [];
  /** How many slots were given back (a slot released twice counts once). */
  released = 0;
  disposed = false;
  readonly #pool: SequencePool<FakeSlot>;

  constructor(options: FakeEngineOptions = {}) {
    const parallel = options.parallel ?? 1;
    const maxQueue = options.maxQueue ?? 4;
    this.script = options.script ?? defaultScript;
    this.pieces = options.pieces;
    this.tokenDelayMs = options.tokenDelayMs ?? 0;
    this.failAfterTokens = options.failAfterTokens;
    this.rejectConstraints = options.rejectConstraints;
    this.info = {
      modelName: "fake",
      modelPath: "/fake/model.gguf",
      contextSize: options.contextSize ?? 4096,
      trainContextSize: options.contextSize ?? 4096,
      threads: 1,
      parallel,
      gpu: false,
      gpuLayers: 0,
      maxQueue,
      hasChatTemplate: false,
    };
    const slots = Array.from({ length: parallel }, (_, index) => new FakeSlot(this, index));
    this.#pool = new SequencePool(slots, maxQueue);
  }

  tokenize(text: string): number[] {
    this.#ensureAlive();
    return fakeTokenize(text);
  }

  async acquire(prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot> {
    this.#ensureAlive();
    this.acquired.push(fakeDetokenize(prompt));
    const member = await this.#pool.acquire(prompt, signal);
    let released = false;
    return {
      generate: (tokens, options) => member.generate(tokens, options),
      release: () => {
        if (released) return;
        released = true;
        this.released += 1;
        this.#pool.release(member);
      },
    };
  }

  async prepareConstraint(constraint: OutputConstraint): Promise<void> {
    this.#ensureAlive();
    this.preparedConstraints.push(constraint);
    if (this.rejectConstraints !== undefined) throw new UnsupportedSchemaError(this.rejectConstraints);
  }

  status(): EngineStatus {
    return { busySequences: this.#pool.busy, queued: this.#pool.queued };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  /** The text the script gives for generation number `call`. */
  scriptFor(promptText: string, call: number): string {
    return typeof this.script === "string" ? this.script : this.script({ promptText, call });
  }

  /** The tokens' texts for generation number `call`: the pieces when set, else the script's characters. */
  tokenTextsFor(promptText: string, call: number): readonly string[] {
    if (this.pieces === undefined) return Array.from(this.scriptFor(promptText, call));
    return typeof this.pieces === "function" ? this.pieces({ promptText, call }) : this.pieces;
  }

  /** The last recorded generation (throws when there is none). */
  lastCall(): FakeGenerateCall {
    const call = this.calls[this.calls.length - 1];
    if (!call) throw new Error("the fake engine has not generated anything yet");
    return call;
  }

  #ensureAlive(): void {
    if (this.disposed) throw new Error("the fake engine was disposed");
  }
}

class FakeSlot implements PoolMember {
  readonly #engine: FakeEngine;
  readonly #index: number;
  /** What this slot's "KV cache" holds: the last prompt plus what was generated after it. */
  #held: number[] = [];

  constructor(engine: FakeEngine, index: number) {
    this.#engine = engine;
    this.#index = index;
  }

  cachedTokens(): readonly number[] {
    return this.#held;
  }

  async *generate(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const engine = this.#engine;
    const { signal } = options;
    if (prompt.length === 0) throw new Error("the prompt is empty");
    const promptText = fakeDetokenize(prompt);
    // Like the real engine, the last prompt token is always evaluated again.
    const cachedTokens = Math.min(commonPrefixLength(this.#held, prompt), prompt.length - 1);
    const call: FakeGenerateCall = {
      slot: this.#index,
      prompt: [...prompt],
      promptText,
      options,
      cachedTokens,
      tokens: 0,
      outcome: "running",
    };
    const callNumber = engine.calls.push(call) - 1;
    try {
      signal?.throwIfAborted();
      this.#held = [...prompt];
      yield { type: "prefilled", promptTokens: prompt.length, cachedTokens };

      const characters = engine.tokenTextsFor(promptText, callNumber);
      const maxTokens = Math.min(options.maxTokens, engine.info.contextSize - prompt.length);
      let reason: "eos" | "length" = "eos";
      for (const character of characters) {
        if (call.tokens >= maxTokens) {
          reason = "length";
          break;
        }
        if (engine.failAfterTokens !== undefined && call.tokens >= engine.failAfterTokens) throw new FakeEngineFailure();
        await sleep(engine.tokenDelayMs, signal);
        signal?.throwIfAborted();
        const token = toGeneratedToken(character, options.topLogprobs);
        this.#held.push(token.id);
        call.tokens += 1;
        yield { type: "token", token };
      }
      if (call.tokens >= maxTokens) reason = "length";
      call.outcome = reason;
      yield { type: "end", reason, completionTokens: call.tokens };
    } catch (error) {
      call.outcome = signal?.aborted ? "aborted" : "failed";
      throw error;
    } finally {
      // Reached when the consumer leaves the loop early (e.g. a stop string).
      if (call.outcome === "running") call.outcome = "closed";
    }
  }
}

/** Chosen token logprob and the alternatives' logprobs: fixed, so tests can assert them. */
export const fakeChosenLogprob = -0.25;

function toGeneratedToken(character: string, topLogprobs: number | undefined): GeneratedToken {
  const top: TokenChoice[] = [];
  if (topLogprobs !== undefined && topLogprobs > 0) {
    top.push({ text: character, bytes: bytesOf(character), logprob: fakeChosenLogprob });
    for (let rank = 1; rank < topLogprobs; rank += 1) {
      const text = `<alt${rank}>`;
      top.push({ text, bytes: bytesOf(text), logprob: fakeChosenLogprob - rank });
    }
  }
  return {
    id: character.codePointAt(0)!,
    text: character,
    bytes: bytesOf(character),
    logprob: topLogprobs === undefined ? 0 : fakeChosenLogprob,
    top,
  };
}

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, "utf8")];
}

/** Waits `ms`, rejecting with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
