/**
 * @module engine/load-tokenizer
 * A model's tokenizer without its weights (GGUF vocabulary only), for tools
 * that count tokens: `urial exemplars lint`/`show`.
 */
import { getLlama, LlamaLogLevel, readGgufFileInfo } from "node-llama-cpp";
import { checkModelFile, ModelLoadError } from "../models/model-file-check.js";
import { tokenizePrompt } from "./tokenize-prompt.js";

export interface Tokenizer {
  /** Tokenizes a whole prompt, adding BOS where the model wants it (as the engine does). */
  tokenize(text: string): number[];
  trainContextSize: number;
  dispose(): Promise<void>;
}

export async function loadTokenizer(modelPath: string): Promise<Tokenizer> {
  await checkModelFile(modelPath);
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  try {
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    // A vocabulary-only model reports a training context of 0; read it from the metadata.
    const info = await readGgufFileInfo(modelPath, { readTensorInfo: false, logWarnings: false });
    const metadata = info.metadata as unknown as Record<string, { context_length?: number } | undefined> & { general?: { architecture?: string } };
    const architecture = metadata.general?.architecture;
    const trainContextSize = (architecture ? metadata[architecture]?.context_length : undefined) ?? 0;
    return {
      tokenize: (text) => tokenizePrompt(model, text),
      trainContextSize,
      async dispose() {
        await model.dispose();
        await llama.dispose();
      },
    };
  } catch (error) {
    await llama.dispose();
    throw new ModelLoadError(modelPath, `cannot be loaded (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
}
