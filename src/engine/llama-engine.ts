/**
 * @module engine/llama-engine
 * The real engine: one GGUF model, one context with `parallel` sequences, a
 * sequence pool with a bounded queue, and a generation loop that reuses each
 * sequence's cached prefix and evaluates only the new tokens.
 *
 * node-llama-cpp facts this file relies on (see ENGINE-NOTES): the CPU thread
 * default is far too high on small machines, so threads are always passed;
 * prefill ignores abort, so it runs in chunks with a check between them; the
 * context shift would evict the URIAL prefix, so generation is capped at the
 * room left instead; sampling options are always passed explicitly.
 */
import { LlamaGrammarEvaluationState, readGgufFileInfo, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaGrammar, type LlamaModel, type Token } from "node-llama-cpp";
import { startLlama } from "./start-llama.js";
import { measureDecodeThreads, type ThreadTrial } from "./pick-thread-count.js";
import { resolveThreads, type ThreadSetting } from "./resolve-threads.js";
import { ThreadPhases } from "./thread-phases.js";
import { PrefixSharing } from "./prefix-sharing.js";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { LRUCache } from "lru-cache";
import {
  UnsupportedSchemaError,
  type Engine,
  type EngineInfo,
  type EngineSlot,
  type EngineStatus,
  type GenerateOptions,
  type GenerationEvent,
  type OutputConstraint,
  type TokenChoice,
} from "./engine.js";
import { toGrammarSchema } from "./json-schema-for-grammar.js";
import { isCompleteJson } from "./is-complete-json.js";
import { checkModelFile, checkTextModel, ModelLoadError } from "../models/model-file-check.js";
import { acquireSlot, SequencePool, type PoolMember } from "./sequence-pool.js";
import { TokenTextDecoder } from "./token-text-decoder.js";
import { tokenizePrompt } from "./tokenize-prompt.js";
import { PrefillChunks } from "./prefill-chunks.js";
import { prefillPrompt } from "./prefill-prompt.js";
import { untilAborted } from "../lifecycle/until-aborted.js";
import { PrefixStateStore } from "./prefix-state-store.js";
import { DecodeRounds } from "./decode-rounds.js";
import { DecodeTiming } from "./decode-timing.js";
import { warmUpGpu } from "./warm-up-gpu.js";
import { fingerprintModelFile, nodeLlamaCppVersion } from "./model-fingerprint.js";

export type GpuChoice = "auto" | "cuda" | "vulkan" | "metal" | false;

export interface LlamaEngineOptions {
  modelPath: string;
  /**
   * Decode threads, or `"auto"`: measure decode speed for a few counts up to
   * `maxThreads` on the loaded model, within a fixed budget, and use the
   * fastest (not measured when every layer is on a GPU). See resolve-threads.
   */
  threads: ThreadSetting;
  /** Prefill (batch) threads, or `"auto"` (the default): `maxThreads`, every physical core. */
  batchThreads?: ThreadSetting;
  /** The physical core count: what `"auto"` uses and measures up to. Defaults to the CPUs this process may use. */
  maxThreads?: number;
  /** Budget of the `threads: "auto"` measurement in ms. Defaults to `autoThreadsBudgetMs`. */
  threadsBudgetMs?: number;
  /** Copy a set's prefix from another sequence that holds it instead of evaluating it. Defaults to true. */
  sharePrefixes?: boolean;
  /**
   * Run the batch shapes of serving once at start-up when layers are on a GPU,
   * so its kernels are ready before the first request (see warm-up-gpu).
   * Defaults to true; never run on the CPU.
   */
  warmUp?: boolean;
  /** Which GPU backend to use. Defaults to `"auto"` (CPU when none is usable). */
  gpu?: GpuChoice;
  /**
   * Flash attention (llama.cpp's `-fa`): true, false, or `"auto"` (the
   * default: llama.cpp decides per device). See docs/engine-notes.md.
   */
  flashAttention?: boolean | "auto";
  /** Layers to offload; a number, `"max"`, or `"auto"` (the default: as many as fit). */
  gpuLayers?: number | "auto" | "max";
  /** Tokens per sequence. Defaults to the model's training context, at most 4096. */
  contextSize?: number;
  /** Sequences that generate at once. */
  parallel: number;
  /** Requests that may wait for a sequence before new ones get 429. */
  maxQueue: number;
  /** The first and smallest prefill chunk (prompt tokens between abort checks). Defaults to 128. */
  prefillChunk?: number;
  /** Prefill chunks grow up to the batch size while one is expected to take at most this (ms). Defaults to 1000. */
  prefillSliceMs?: number;
  /** Called with 0..1 while the weights load. */
  onLoadProgress?: (fraction: number) => void;
  /**
   * Save each exemplar set's prefix state here and restore it after a
   * restart (bounded by `maxBytes`; 0 disables). Undefined: not saved.
   */
  prefixStates?: { dir: string; maxBytes: number };
  /** Receives the engine's own notices (prefix states saved, ignored, disabled). */
  onNotice?: (message: string) => void;
  /** Receives llama.cpp's warnings and errors. */
  onLog?: (level: "warn" | "error", message: string) => void;
}

const defaultContextCap = 4096;
const leastContextSize = 16;

/** Loads the model and returns a ready engine; failures are `ModelLoadError`s with one-line messages. */
export async function startLlamaEngine(options: LlamaEngineOptions): Promise<Engine> {
  const { modelPath } = options;
  await checkModelFile(modelPath);
  const fileInfo = await readGgufFileInfo(modelPath, { readTensorInfo: false, logWarnings: false }).catch((error: unknown) => {
    throw new ModelLoadError(modelPath, `is not a readable GGUF model (${describe(error)})`);
  });
  const metadata = fileInfo.metadata as { general?: { architecture?: string }; tokenizer?: { ggml?: { model?: string } } };
  checkTextModel(modelPath, metadata.general?.architecture, metadata.tokenizer?.ggml?.model !== undefined);

  const cores = options.maxThreads ?? availableParallelism();
  // The cap is raised to the ceiling once the model is loaded and the counts are known.
  const provisional = Math.max(1, options.threads === "auto" ? cores : options.threads, options.batchThreads === "auto" || options.batchThreads === undefined ? cores : options.batchThreads);
  const llama = await startLlama({ threads: provisional, gpu: options.gpu, onLog: options.onLog }).catch((error: unknown) => {
    throw new ModelLoadError(modelPath, `cannot start llama.cpp (${describe(error)})`);
  });

  let model: LlamaModel;
  try {
    model = await llama.loadModel({
      modelPath,
      gpuLayers: options.gpuLayers ?? "auto",
      onLoadProgress: options.onLoadProgress,
    });
  } catch (error) {
    await llama.dispose();
    throw new ModelLoadError(modelPath, `cannot be loaded (${describe(error)})`);
  }

  const trainContextSize = model.trainContextSize;
  const contextSize = options.contextSize ?? Math.min(trainContextSize, defaultContextCap);
  if (contextSize > trainContextSize || contextSize < leastContextSize) {
    await model.dispose();
    await llama.dispose();
    throw new ModelLoadError(modelPath, `a context size of ${contextSize} tokens is not possible for this model (it takes ${leastContextSize} to ${trainContextSize})`);
  }

  const allLayersOnGpu = llama.gpu !== false && model.gpuLayers >= model.fileInsights.totalLayers;
  const plan = resolveThreads({ threads: options.threads, batchThreads: options.batchThreads }, cores, allLayersOnGpu);
  llama.maxThreads = plan.ceiling;

  let context: LlamaContext;
  try {
    context = await model.createContext({
      contextSize,
      sequences: options.parallel,
      // The ideal count is the ceiling; ThreadPhases lowers it per phase through llama.maxThreads.
      threads: plan.ceiling,
      batchSize: Math.min(512, contextSize),
      ignoreMemorySafetyChecks: false,
      ...(options.flashAttention === undefined || options.flashAttention === "auto" ? {} : { flashAttention: options.flashAttention }),
    });
  } catch (error) {
    await model.dispose();
    await llama.dispose();
    throw new ModelLoadError(modelPath, `cannot create a context of ${contextSize} tokens × ${options.parallel} sequences (${describe(error)})`);
  }

  const phases = new ThreadPhases(llama, { decode: plan.decode === "measure" ? plan.ceiling : plan.decode, batch: plan.batch });
  let threadSweep: ThreadTrial[] = [];
  let threadChoice = plan.reason;
  if (plan.decode === "measure") {
    const sequence = context.getSequence();
    const sweep = await measureDecodeThreads({
      sequence,
      // One token to start from, so the first step costs one decode step.
      prompt: (model.tokenize("Once upon a time, there was", false) as Token[]).slice(0, 1),
      candidates: plan.candidates,
      setThreads: (count) => phases.setDecode(count),
      budgetMs: options.threadsBudgetMs,
    }).catch(() => undefined);
    sequence.dispose();
    phases.setDecode(sweep?.best ?? cores);
    threadSweep = sweep?.trials ?? [];
    threadChoice += sweep ? ` in ${(sweep.elapsedMs / 1000).toFixed(1)} s (${sweep.ended})` : " (failed: using every core)";
  }

  const generalName = (fileInfo.metadata as { general?: { name?: string } }).general?.name;
  const info: EngineInfo = {
    modelName: generalName && generalName.trim().length > 0 ? generalName : basename(modelPath, ".gguf"),
    modelPath,
    contextSize,
    trainContextSize,
    threads: phases.counts.decode,
    batchThreads: phases.counts.batch,
    threadSweep,
    threadChoice,
    parallel: options.parallel,
    gpu: llama.gpu,
    gpuLayers: model.gpuLayers,
    flashAttention: context.flashAttention,
    maxQueue: options.maxQueue,
    hasChatTemplate: typeof (fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template === "string",
  };
  let prefixStates: PrefixStateStore | undefined;
  if (options.prefixStates && options.prefixStates.maxBytes > 0) {
    const fingerprint = await fingerprintModelFile(modelPath, `node-llama-cpp ${nodeLlamaCppVersion()}`);
    const namespace = JSON.stringify({ fingerprint, contextSize, sequences: options.parallel, gpu: llama.gpu, gpuLayers: model.gpuLayers });
    try {
      prefixStates = await PrefixStateStore.open({ ...options.prefixStates, namespace, onLog: (message) => options.onNotice?.(message) });
    } catch (error) {
      options.onNotice?.(`prefix states disabled: cannot use ${options.prefixStates.dir} (${describe(error)})`);
    }
  }
  info.prefixStatesDir = prefixStates ? options.prefixStates!.dir : null;
  const batchSize = context.batchSize;
  const prefillChunks = new PrefillChunks({ min: options.prefillChunk ?? 128, max: batchSize, sliceMs: options.prefillSliceMs ?? 1000 });
  const engine = new LlamaEngine(llama, model, context, info, { prefillChunks, prefixStates, phases, sharePrefixes: options.sharePrefixes ?? true });
  if (model.gpuLayers > 0 && llama.gpu !== false && options.warmUp !== false) {
    const token = model.tokens.bos ?? (model.tokenize("a", false)[0] as Token | undefined);
    if (token !== undefined) {
      try {
        info.warmUpMs = await engine.warmUp([prefillChunks.size(), batchSize], token);
      } catch (error) {
        options.onNotice?.(`GPU warm-up failed (the first requests will prepare the kernels instead): ${describe(error)}`);
      }
    }
  }
  return engine;
}

class LlamaEngine implements Engine {
  readonly info: EngineInfo;
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #pool: SequencePool<LlamaSlotMember>;
  readonly #grammars: GrammarCache;
  readonly #sequences: LlamaContextSequence[];
  readonly #timing = new DecodeTiming();
  readonly #rounds: DecodeRounds | undefined;
  #disposed = false;

  constructor(llama: Llama, model: LlamaModel, context: LlamaContext, info: EngineInfo, settings: MemberSettings & { sharePrefixes: boolean }) {
    this.info = info;
    this.#llama = llama;
    this.#model = model;
    this.#context = context;
    this.#grammars = new GrammarCache(llama);
    const sequences = Array.from({ length: info.parallel }, () => context.getSequence());
    this.#sequences = sequences;
    const sharing = settings.sharePrefixes && sequences.length > 1 ? new PrefixSharing(sequences) : undefined;
    // The rounds know how many sequences decode together: a wide batch runs on the batch thread count (thread-phases).
    const rounds = sequences.length > 1 ? new DecodeRounds({ onWidth: (width) => settings.phases.setDecodeWidth(width) }) : undefined;
    this.#rounds = rounds;
    const timing = this.#timing;
    const members = sequences.map((sequence) => new LlamaSlotMember(sequence, model, this.#grammars, { ...settings, sharing, rounds, timing }));
    this.#pool = new SequencePool(members, info.maxQueue);
  }

  /** Runs the serving batch shapes once (before any request); returns the ms it took. */
  async warmUp(prefillChunks: readonly number[], token: Token): Promise<number> {
    this.#ensureAlive();
    return warmUpGpu(this.#context, this.#sequences, { prefillChunks, parallel: this.#sequences.length, token });
  }

  tokenize(text: string): number[] {
    this.#ensureAlive();
    return tokenizePrompt(this.#model, text);
  }

  async acquire(prompt: readonly number[], signal?: AbortSignal): Promise<EngineSlot> {
    this.#ensureAlive();
    return acquireSlot(this.#pool, prompt, signal);
  }

  async prepareConstraint(constraint: OutputConstraint): Promise<void> {
    this.#ensureAlive();
    await this.#grammars.get(constraint);
  }

  status(): EngineStatus {
    const rounds = this.#rounds?.counts ?? { rounds: 0, expired: 0 };
    return { busySequences: this.#pool.busy, queued: this.#pool.queued, decode: { ...this.#timing.stats(), rounds: rounds.rounds, expiredRounds: rounds.expired } };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#llama.dispose();
  }

  #ensureAlive(): void {
    if (this.#disposed) throw new Error("the engine was disposed");
  }
}

/** Grammars are costly to build and reusable: keep the last few by schema. */
class GrammarCache {
  readonly #llama: Llama;
  readonly #cache = new LRUCache<string, Promise<LlamaGrammar>>({ max: 32 });

  constructor(llama: Llama) {
    this.#llama = llama;
  }

  get(constraint: OutputConstraint): Promise<LlamaGrammar> {
    const key = constraint.type === "json_object" ? "json" : `schema:${JSON.stringify(constraint.schema)}`;
    let grammar = this.#cache.get(key);
    if (!grammar) {
      grammar =
        constraint.type === "json_object"
          ? this.#llama.getGrammarFor("json")
          : this.#llama.createGrammarForJsonSchema(toGrammarSchema(constraint.schema) as never).then(
              (built) => built as LlamaGrammar,
              (error: unknown) => {
                throw new UnsupportedSchemaError(`the JSON schema cannot be turned into a grammar: ${describe(error)}`);
              },
            );
      grammar.catch(() => this.#cache.delete(key));
      this.#cache.set(key, grammar);
    }
    return grammar;
  }
}

/** What every sequence of one engine shares. */
interface MemberSettings {
  prefillChunks: PrefillChunks;
  prefixStates: PrefixStateStore | undefined;
  phases: ThreadPhases;
  sharing?: PrefixSharing | undefined;
  /** Keeps the sequences that decode at once in step (one shared per context). */
  rounds?: DecodeRounds | undefined;
  /** Sums where generated tokens' time goes (one shared per engine). */
  timing?: DecodeTiming | undefined;
}

class LlamaSlotMember implements PoolMember {
  readonly #sequence: LlamaContextSequence;
  readonly #model: LlamaModel;
  readonly #grammars: GrammarCache;
  readonly #settings: MemberSettings;

  constructor(sequence: LlamaContextSequence, model: LlamaModel, grammars: GrammarCache, settings: MemberSettings) {
    this.#sequence = sequence;
    this.#model = model;
    this.#grammars = grammars;
    this.#settings = settings;
  }

  cachedTokens(): readonly number[] {
    return this.#sequence.contextTokens;
  }

  async *generate(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const sequence = this.#sequence;
    const { signal } = options;
    if (prompt.length === 0) throw new Error("the prompt is empty");
    if (prompt.length >= sequence.contextSize) {
      throw new Error(`the prompt has ${prompt.length} tokens and the context holds ${sequence.contextSize}`);
    }
    // Built before prefill so a bad schema fails fast.
    const grammar = options.constraint ? await untilAborted(this.#grammars.get(options.constraint), signal) : undefined;

    const tokens = prompt as Token[];
    const prefilled = await prefillPrompt(sequence, tokens, {
      chunks: this.#settings.prefillChunks,
      signal,
      reusablePrefix: options.reusablePrefix ?? 0,
      store: this.#settings.prefixStates,
      sharing: this.#settings.sharing,
      threads: this.#settings.phases,
    });
    yield { type: "prefilled", promptTokens: tokens.length, cachedTokens: prefilled.cachedTokens, restoredTokens: prefilled.restoredTokens, copiedTokens: prefilled.copiedTokens };

    const maxTokens = Math.min(options.maxTokens, sequence.contextSize - tokens.length);
    const sampling = options.sampling;
    const generated: Token[] = [];
    const penalised = sampling.repeatPenalty !== 1 || sampling.frequencyPenalty !== 0 || sampling.presencePenalty !== 0;
    const grammarEvaluationState = grammar ? new LlamaGrammarEvaluationState({ model: this.#model, grammar }) : undefined;
    const model = this.#model;
    const decoder = new TokenTextDecoder({ detokenize: (ids, special, last) => model.detokenize(ids as Token[], special, last as Token[]) }, tokens);
    const topLogprobs = options.topLogprobs;
    const evaluation = sequence.evaluateWithMetadata(
      [tokens[tokens.length - 1]!],
      { probabilities: topLogprobs !== undefined },
      {
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        minP: sampling.minP,
        seed: sampling.seed,
        grammarEvaluationState,
        repeatPenalty: penalised
          ? {
              punishTokens: () => [...tokens.slice(-sampling.penaltyLastTokens), ...generated].slice(-sampling.penaltyLastTokens),
              maxPunishTokens: sampling.penaltyLastTokens,
              penalty: sampling.repeatPenalty,
              frequencyPenalty: sampling.frequencyPenalty,
              presencePenalty: sampling.presencePenalty,
            }
          : undefined,
      },
    );

    let reason: "eos" | "length" = "eos";
    let text = "";
    const rounds = this.#settings.rounds;
    const outputs = evaluation[Symbol.asyncIterator]();
    const pull = () => (rounds ? rounds.step(() => outputs.next()) : outputs.next());
    const nextOutput = this.#settings.timing ? this.#settings.timing.meter(pull) : pull;
    if (maxTokens <= 0) reason = "length";
    else {
      try {
        for (let step = await nextOutput(); step.done !== true; step = await nextOutput()) {
          const output = step.value;
          signal?.throwIfAborted();
          const token = output.token;
          generated.push(token);
          const probabilities = (output as { probabilities?: Map<Token, number> }).probabilities;
          const top: TokenChoice[] = [];
          if (probabilities && topLogprobs !== undefined && topLogprobs > 0) {
            for (const [id, probability] of probabilities) {
              if (top.length >= topLogprobs) break;
              const choiceText = decoder.peek(id);
              top.push({ text: choiceText, bytes: [...Buffer.from(choiceText, "utf8")], logprob: toLogprob(probability) });
            }
          }
          const logprob = probabilities ? toLogprob(probabilities.get(token) ?? 0) : 0;
          const piece = decoder.push(token);
          text += piece;
          yield {
            type: "token",
            // Bytes only when logprobs were asked for: no per-token allocation otherwise.
            token: { id: token, text: piece, bytes: topLogprobs === undefined ? [] : [...Buffer.from(piece, "utf8")], logprob, top },
          };
          if (generated.length >= maxTokens) {
            reason = "length";
            break;
          }
          if (options.constraint && isCompleteJson(text)) break;
        }
      } finally {
        // What `for await` did: end node-llama-cpp's evaluation (it frees its sampler).
        await outputs.return?.(undefined);
      }
    }
    const rest = decoder.flush();
    if (rest.length > 0) {
      yield { type: "token", token: { id: -1, text: rest, bytes: topLogprobs === undefined ? [] : [...Buffer.from(rest, "utf8")], logprob: 0, top: [] } };
    }
    signal?.throwIfAborted();
    yield { type: "end", reason, completionTokens: generated.length };
  }
}

/** OpenAI's convention for an impossible token is -9999 rather than -Infinity. */
function toLogprob(probability: number): number {
  return probability > 0 ? Math.max(Math.log(probability), -9999) : -9999;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim();
}
