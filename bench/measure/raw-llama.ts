/**
 * @module bench/measure/raw-llama
 * The baseline: node-llama-cpp used directly, in process, with nothing of the
 * proxy around it — what each proxy figure is compared against.
 */
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";

export interface RawLlama {
  llama: Llama;
  model: LlamaModel;
  tokenize(text: string): number[];
  /** A context with `sequences` sequences and `threads` threads (made once per combination). */
  context(threads: number, sequences?: number): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export async function openRawLlama(modelPath: string, maxThreads: number, contextSize: number): Promise<RawLlama> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const contexts = new Map<string, LlamaContext>();
  return {
    llama,
    model,
    tokenize(text) {
      const tokens: number[] = model.tokenize(text, false);
      return model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? [model.tokens.bos, ...tokens] : tokens;
    },
    async context(threads, sequences = 1) {
      const key = `${threads}:${sequences}`;
      let context = contexts.get(key);
      if (!context) {
        context = await model.createContext({ contextSize, sequences, threads, batchSize: Math.min(512, contextSize) });
        contexts.set(key, context);
      }
      return context;
    },
    async dispose() {
      for (const context of contexts.values()) await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

/** Makes `sequence` hold exactly `tokens` (reusing what it shares, evaluating the rest). */
export async function holdTokens(sequence: LlamaContextSequence, tokens: readonly number[]): Promise<void> {
  const shared = sequence.compareContextTokens(tokens as Token[]).firstDifferentIndex;
  if (sequence.nextTokenIndex > shared) await sequence.eraseContextTokenRanges([{ start: shared, end: sequence.nextTokenIndex }]);
  if (shared < tokens.length) await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(shared) as Token[]);
}

/** How many leading tokens the sequence already holds of `tokens` (at most all but the last). */
export function sharedPrefix(sequence: LlamaContextSequence, tokens: readonly number[]): number {
  return Math.min(sequence.compareContextTokens(tokens as Token[]).firstDifferentIndex, tokens.length - 1);
}

/**
 * The physical limit of a warm request: the sequence already holds `held`;
 * evaluate `rest` and sample one token. Returns milliseconds.
 */
export async function timeFirstToken(sequence: LlamaContextSequence, held: readonly number[], rest: readonly number[]): Promise<number> {
  await holdTokens(sequence, held);
  const started = performance.now();
  const generator = sequence.evaluate(rest as Token[], { temperature: 0, topK: 0, topP: 1, minP: 0 });
  await generator.next();
  const elapsed = performance.now() - started;
  await generator.return();
  return elapsed;
}

/** Greedy decode speed after `prompt`: tokens per second between the first and the last of `count` tokens. */
export async function timeDecode(sequence: LlamaContextSequence, prompt: readonly number[], count: number): Promise<{ tokensPerSecond: number; tokens: number }> {
  await holdTokens(sequence, prompt.slice(0, -1));
  let first = 0;
  let produced = 0;
  for await (const token of sequence.evaluate(prompt.slice(-1) as Token[], { temperature: 0, topK: 0, topP: 1, minP: 0 })) {
    void token;
    produced += 1;
    if (produced === 1) first = performance.now();
    if (produced >= count) break;
  }
  const seconds = (performance.now() - first) / 1000;
  return { tokensPerSecond: produced > 1 ? (produced - 1) / seconds : 0, tokens: produced };
}
