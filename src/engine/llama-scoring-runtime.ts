/**
 * @module engine/llama-scoring-runtime
 * node-llama-cpp implementation of `ScoringRuntime`: one llama.cpp instance
 * (threads always passed, see ENGINE-NOTES), models loaded with `lanes`
 * sequences each, a chat prompt renderer from the GGUF template or an
 * override, greedy generation and one-pass teacher forcing.
 */
import { basename } from "node:path";
import { readGgufFileInfo, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { startLlama } from "./start-llama.js";
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { measureDecodeThreads } from "./pick-thread-count.js";
import { resolveThreads, type ThreadSetting } from "./resolve-threads.js";
import { ThreadPhases } from "./thread-phases.js";
import { parseChatTemplateOverride, type ChatTemplateOverride } from "./chat-template-override.js";
import { generateAnswer } from "./generate-answer.js";
import { checkModelFile, checkTextModel, ModelLoadError } from "../models/model-file-check.js";
import { createChatPromptRenderer, type ChatPromptRenderer } from "./render-chat-prompt.js";
import {
  ChatTemplateError,
  type ChatPrompt,
  type ChatPromptContext,
  type GenerateAnswerOptions,
  type GeneratedAnswer,
  type LoadScoringModelOptions,
  type PositionCallback,
  type ScoringModel,
  type ScoringModelInfo,
  type ScoringRuntime,
  type TeacherForceResult,
} from "./scoring-model.js";
import { teacherForce } from "./teacher-force.js";
import { tokenizePrompt } from "./tokenize-prompt.js";

export interface ScoringRuntimeOptions {
  /**
   * Decode threads, or `"auto"` (measured on the first model loaded, within
   * the same budget as the server's; see resolve-threads). Always passed:
   * node-llama-cpp's own default is far too high on small machines.
   */
  threads: ThreadSetting;
  /** Prefill and teacher-forcing threads, or `"auto"` (the default: every physical core). */
  batchThreads?: ThreadSetting;
  /** Physical cores: what auto uses and measures up to. Defaults to this machine's. */
  maxThreads?: number;
  /** GPU backend. Defaults to `"auto"`; `false` is CPU only. */
  gpu?: "auto" | "cuda" | "vulkan" | "metal" | false;
  /** Receives llama.cpp's warnings and errors. */
  onLog?: (level: "warn" | "error", message: string) => void;
}

const defaultContextCap = 4096;

/** Starts llama.cpp for scoring; failures are `ModelLoadError`s with one-line messages. */
export async function startScoringRuntime(options: ScoringRuntimeOptions): Promise<ScoringRuntime> {
  const cores = options.maxThreads ?? physicalCoreCount();
  // The GPU case is settled per model (its layers); the ceiling covers every candidate either way.
  const plan = resolveThreads({ threads: options.threads, batchThreads: options.batchThreads }, cores, false);
  const llama = await startLlama({ threads: plan.ceiling, gpu: options.gpu, onLog: options.onLog }).catch((error: unknown) => {
    throw new Error(`cannot start llama.cpp (${describe(error)})`);
  });
  const phases = new ThreadPhases(llama, { decode: plan.decode === "measure" ? cores : plan.decode, batch: plan.batch });
  let measured = plan.decode !== "measure";
  const models = new Set<ScoringModel>();
  return {
    async loadModel(loadOptions) {
      const model = await loadScoringModel(llama, plan.ceiling, phases, loadOptions);
      if (!measured) {
        measured = true;
        await model.tuneDecodeThreads(plan.candidates, cores);
      }
      models.add(model);
      return model;
    },
    async dispose() {
      for (const model of models) await model.dispose();
      models.clear();
      await llama.dispose();
    },
  };
}

async function loadScoringModel(llama: Llama, threads: number, phases: ThreadPhases, options: LoadScoringModelOptions): Promise<LlamaScoringModel> {
  const { modelPath } = options;
  await checkModelFile(modelPath);
  const fileInfo = await readGgufFileInfo(modelPath, { readTensorInfo: false, logWarnings: false }).catch((error: unknown) => {
    throw new ModelLoadError(modelPath, `is not a readable GGUF model (${describe(error)})`);
  });
  const metadata = fileInfo.metadata as {
    general?: { architecture?: string; name?: string };
    tokenizer?: { ggml?: { model?: string; tokens?: readonly string[] }; chat_template?: unknown };
  };
  checkTextModel(modelPath, metadata.general?.architecture, metadata.tokenizer?.ggml?.model !== undefined);
  // Checked before the weights load, so a bad override costs nothing.
  const override = options.chatTemplate === undefined ? undefined : parseChatTemplateOverride(options.chatTemplate);

  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (error) {
    throw new ModelLoadError(modelPath, `cannot be loaded (${describe(error)})`);
  }
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize, defaultContextCap);
  const lanes = options.lanes ?? 1;
  let context: LlamaContext;
  try {
    if (contextSize > model.trainContextSize || contextSize < 16) {
      throw new Error(`a context size of ${contextSize} tokens is not possible for this model (it takes 16 to ${model.trainContextSize})`);
    }
    context = await model.createContext({ contextSize, sequences: lanes, threads, batchSize: Math.min(512, contextSize) });
  } catch (error) {
    await model.dispose();
    throw new ModelLoadError(modelPath, describe(error));
  }

  const ggufTemplate = typeof metadata.tokenizer?.chat_template === "string" ? metadata.tokenizer.chat_template : undefined;
  const template: ChatTemplateOverride | undefined = override ?? (ggufTemplate !== undefined ? { kind: "jinja", template: ggufTemplate } : undefined);
  let renderer: ChatPromptRenderer | undefined;
  try {
    renderer = template === undefined ? undefined : createChatPromptRenderer(model, template);
  } catch (error) {
    await context.dispose();
    await model.dispose();
    if (error instanceof ChatTemplateError) throw new ChatTemplateError(`${modelPath}: ${error.message}`);
    throw error;
  }
  const name = metadata.general?.name;
  const info: ScoringModelInfo = {
    name: name !== undefined && name.trim().length > 0 ? name : basename(modelPath, ".gguf"),
    path: modelPath,
    vocabularySize: metadata.tokenizer?.ggml?.tokens?.length ?? 0,
    contextSize,
    chatTemplate: override !== undefined ? "override" : ggufTemplate !== undefined ? "gguf" : null,
  };
  if (info.vocabularySize <= 0) {
    await context.dispose();
    await model.dispose();
    throw new ModelLoadError(modelPath, "has no vocabulary in its metadata (tokenizer.ggml.tokens)");
  }
  return new LlamaScoringModel(info, model, context, lanes, renderer, phases);
}

class LlamaScoringModel implements ScoringModel {
  readonly info: ScoringModelInfo;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #lanes: LlamaContextSequence[] = [];
  readonly #renderer: ChatPromptRenderer | undefined;
  readonly #phases: ThreadPhases;
  #disposed = false;

  constructor(info: ScoringModelInfo, model: LlamaModel, context: LlamaContext, lanes: number, renderer: ChatPromptRenderer | undefined, phases: ThreadPhases) {
    this.info = info;
    this.#model = model;
    this.#context = context;
    this.#renderer = renderer;
    this.#phases = phases;
    for (let lane = 0; lane < lanes; lane += 1) this.#lanes.push(context.getSequence());
  }

  tokenize(text: string): number[] {
    this.#ensureAlive();
    return tokenizePrompt(this.#model, text);
  }

  tokenizeContinuation(text: string): number[] {
    this.#ensureAlive();
    return this.#model.tokenize(text, false, "trimLeadingSpace");
  }

  detokenize(tokens: readonly number[]): string {
    this.#ensureAlive();
    return this.#model.detokenize(tokens as Token[], true);
  }

  tokenText(token: number, previous?: number): string {
    this.#ensureAlive();
    // With a previous token as context, SentencePiece's "▁" decodes to the space it stands for.
    return this.#model.detokenize([token as Token], true, previous === undefined ? undefined : [previous as Token]);
  }

  isEndOfGeneration(token: number): boolean {
    return this.#model.isEogToken(token as Token);
  }

  chatPrompt(query: string, context?: ChatPromptContext): ChatPrompt {
    this.#ensureAlive();
    if (!this.#renderer) {
      throw new ChatTemplateError(
        `${this.info.path}: the model has no chat template (tokenizer.chat_template); pass one with --chat-template (a Jinja template, or a layout such as 'User: {query}\\nAssistant:')`,
      );
    }
    return this.#renderer.render(query, context);
  }

  generate(lane: number, prompt: readonly number[], options: GenerateAnswerOptions): Promise<GeneratedAnswer> {
    return generateAnswer(this.#lane(lane), this.#model, prompt, options, this.#renderer?.stopTexts ?? [], this.#phases);
  }

  teacherForce(lane: number, context: readonly number[], answer: readonly number[], onPosition: PositionCallback): Promise<TeacherForceResult> {
    // One batched pass over context and answer: prefill work.
    return this.#phases.prefill(() => teacherForce(this.#lane(lane), this.info.vocabularySize, context, answer, onPosition));
  }

  /** `--threads auto`: the bounded decode sweep on lane 0 (not with every layer on a GPU). */
  async tuneDecodeThreads(candidates: readonly number[], cores: number): Promise<void> {
    const onGpu = this.#model.gpuLayers > 0 && this.#model.gpuLayers >= this.#model.fileInsights.totalLayers;
    if (onGpu || candidates.length <= 1) {
      this.#phases.setDecode(cores);
      return;
    }
    const prompt = (this.#model.tokenize("Once upon a time, there was", false) as Token[]).slice(0, 1);
    const sweep = await measureDecodeThreads({ sequence: this.#lane(0), prompt, candidates, setThreads: (count) => this.#phases.setDecode(count) }).catch(() => undefined);
    this.#phases.setDecode(sweep?.best ?? cores);
  }

  async resetLane(lane: number): Promise<void> {
    await this.#lane(lane).clearHistory();
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#context.dispose();
    await this.#model.dispose();
  }

  #lane(lane: number): LlamaContextSequence {
    this.#ensureAlive();
    const sequence = this.#lanes[lane];
    if (!sequence) throw new Error(`no lane ${lane} (this model has ${this.#lanes.length})`);
    return sequence;
  }

  #ensureAlive(): void {
    if (this.#disposed) throw new Error(`the scoring model ${this.info.name} was disposed`);
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim();
}
