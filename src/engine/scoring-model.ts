/**
 * @module engine/scoring-model
 * The contract for analyses that need a model's exact next-token
 * distributions rather than sampled text: teacher forcing a fixed answer
 * after a context, and plain (greedy by default) answer generation. The
 * token-distribution-shift analyser (`shift/`) works against this interface
 * only; `engine/llama-scoring-runtime` implements it with node-llama-cpp.
 * Types only; nothing here imports node-llama-cpp.
 */

/** What the analysis needs to know about a loaded scoring model. */
export interface ScoringModelInfo {
  /** Display name (GGUF `general.name`, else the file name). */
  name: string;
  path: string;
  /** Number of tokens in the vocabulary; every distribution has this length. */
  vocabularySize: number;
  /** Tokens per lane (context + answer must fit). */
  contextSize: number;
  /**
   * Where `chatPrompt` gets its layout: the GGUF's `tokenizer.chat_template`,
   * an override given at load time, or nowhere (then `chatPrompt` throws).
   */
  chatTemplate: "gguf" | "override" | null;
}

/**
 * What comes before the query in a multi-turn chat prompt: an optional
 * system message and the earlier exchanges, oldest first.
 */
export interface ChatPromptContext {
  system?: string;
  history?: readonly { query: string; answer: string }[];
}

/** A chat prompt rendered with the model's template, ready to generate from. */
export interface ChatPrompt {
  tokens: number[];
  /** The same prompt as text (special tokens written out), for reports. */
  text: string;
}

export interface GenerateAnswerOptions {
  /** Upper bound on answer tokens; the lane's context also bounds it. */
  maxTokens: number;
  /** 0 (the default) is greedy; above 0 samples from the raw distribution (no top-k/top-p). */
  temperature?: number;
  /** Seed for sampling when `temperature` > 0. */
  seed?: number;
  /** Receives the answer's tokens so far after each new token (for streaming). */
  onToken?: (tokens: readonly number[]) => void;
  /** Stops generation (the answer so far is returned with `stopReason` `length`). */
  signal?: AbortSignal;
}

export interface GeneratedAnswer {
  /** The answer's tokens; an end-of-generation token that ended it is included as the last one. */
  tokens: number[];
  /**
   * `eos`: the model produced an end-of-generation token; `stop`: it wrote one
   * of its chat template's stop texts (removed from `tokens`); `length`:
   * `maxTokens` or the lane's context was reached.
   */
  stopReason: "eos" | "stop" | "length";
  /** Prompt tokens that were already in the lane's KV cache and not evaluated again. */
  cachedTokens?: number;
}

/** How a teacher-forced pass used the lane's cache. */
export interface TeacherForceResult {
  /** Tokens of context + answer that were already in the lane's KV cache and not evaluated again. */
  cachedTokens: number;
  /** Tokens evaluated in this pass (one batched evaluation). */
  evaluatedTokens: number;
}

/**
 * Receives the model's full next-token distribution before answer token
 * `index` (0-based): `probabilities[id]` for every id in the vocabulary,
 * raw (temperature 1, no top-k/top-p/min-p truncation, no penalties). The
 * array is reused after the call returns; copy what you keep.
 */
export type PositionCallback = (index: number, probabilities: Float32Array) => void;

/**
 * A model loaded for scoring, with `lanes` independent KV-cache sequences.
 * Each lane keeps its tokens between calls, so scoring many answers after
 * the same context prefix evaluates that prefix once. Calls on one model
 * must not overlap (the caller serializes them).
 */
export interface ScoringModel {
  readonly info: ScoringModelInfo;
  /** Tokenizes a whole prompt, adding BOS where the model wants it (as `Engine.tokenize` does). */
  tokenize(text: string): number[];
  /**
   * Tokenizes text that continues other text (an answer after its prompt):
   * no BOS and no leading space added (SentencePiece would add one).
   */
  tokenizeContinuation(text: string): number[];
  /** Decodes tokens to text; special tokens are written out (`</s>`). */
  detokenize(tokens: readonly number[]): string;
  /** The text of one token as it reads after `previous` (spacing included; special tokens written out). */
  tokenText(token: number, previous?: number): string;
  /** True for end-of-generation tokens (EOS, EOT, …). */
  isEndOfGeneration(token: number): boolean;
  /**
   * Renders a chat prompt for `query` (after the system message and earlier
   * turns of `context`, when given); throws `ChatTemplateError` when the model has no template.
   */
  chatPrompt(query: string, context?: ChatPromptContext): ChatPrompt;
  /** Generates an answer to `prompt` on `lane`, reusing the lane's cached prefix. */
  generate(lane: number, prompt: readonly number[], options: GenerateAnswerOptions): Promise<GeneratedAnswer>;
  /**
   * Evaluates `context` followed by `answer` in ONE batched pass on `lane`
   * (reusing its cached prefix) and calls `onPosition` once per answer token
   * with the distribution the model had for it. `context` must hold at least
   * one token and context + answer − 1 tokens must fit the lane.
   */
  teacherForce(lane: number, context: readonly number[], answer: readonly number[], onPosition: PositionCallback): Promise<TeacherForceResult>;
  /** Empties a lane's cache (for measurements without prefix reuse). */
  resetLane(lane: number): Promise<void>;
  dispose(): Promise<void>;
}

/** Loads scoring models; one runtime (one llama.cpp instance) can hold several models. */
export interface ScoringRuntime {
  loadModel(options: LoadScoringModelOptions): Promise<ScoringModel>;
  dispose(): Promise<void>;
}

export interface LoadScoringModelOptions {
  modelPath: string;
  /** Tokens per lane. Defaults to the model's training context, at most 4096. */
  contextSize?: number;
  /** Independent KV-cache sequences. Defaults to 1. */
  lanes?: number;
  /**
   * Replaces the GGUF's chat template: a Jinja template, or a plain layout
   * with one `{query}` placeholder (see `parseChatTemplateOverride`).
   */
  chatTemplate?: string;
}

/** A model has no chat template (and none was given), or the given one is unusable. */
export class ChatTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatTemplateError";
  }
}
