/**
 * @module models/model-file-check
 * Checks a model path before node-llama-cpp touches it, so a wrong path or a
 * file that is not a GGUF ends in one clear line instead of a native crash.
 */
import { open, stat } from "node:fs/promises";

/** A problem with the model or its settings that stops the server from starting. */
export class ModelLoadError extends Error {
  constructor(
    readonly modelPath: string,
    problem: string,
  ) {
    super(`${modelPath}: ${problem}`);
    this.name = "ModelLoadError";
  }
}

/** Throws `ModelLoadError` unless `modelPath` is a readable file that starts with the GGUF magic. */
export async function checkModelFile(modelPath: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(modelPath);
    if (!info.isFile()) throw new ModelLoadError(modelPath, "is not a file");
    size = info.size;
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(modelPath, code === "ENOENT" ? "no such file" : `cannot read it (${code ?? String(error)})`);
  }
  if (size < 24) throw new ModelLoadError(modelPath, `is not a GGUF model (only ${size} bytes)`);
  const handle = await open(modelPath, "r").catch((error: NodeJS.ErrnoException) => {
    throw new ModelLoadError(modelPath, `cannot open it (${error.code ?? error.message})`);
  });
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    if (magic.toString("latin1") !== "GGUF") throw new ModelLoadError(modelPath, "is not a GGUF model (the file does not start with the GGUF magic)");
  } finally {
    await handle.close();
  }
}

/** Architectures that are GGUF files but cannot generate text on their own. */
const nonGenerativeArchitectures = new Set(["clip", "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "t5encoder", "wavtokenizer-dec", "neo-bert", "modern-bert"]);

/** Throws unless the GGUF metadata describes a text model that can generate. */
export function checkTextModel(modelPath: string, architecture: string | undefined, hasTokenizer: boolean): void {
  if (architecture === undefined) throw new ModelLoadError(modelPath, "has no general.architecture in its metadata; is it a model file?");
  if (nonGenerativeArchitectures.has(architecture)) {
    throw new ModelLoadError(modelPath, `is a '${architecture}' model, not a text generation model`);
  }
  if (!hasTokenizer) throw new ModelLoadError(modelPath, `has no tokenizer (architecture '${architecture}'), so it is not a text model`);
}
