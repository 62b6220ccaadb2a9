/**
 * @module engine/llama-model-files
 * node-llama-cpp's own model URI resolver (`resolveModelFile`), downloader
 * (`createModelDownloader`, built on ipull: parallel ranges, resumable) and
 * GGUF reader (`readGgufFileInfo`, `GgufInsights`) behind the `ModelFiles`
 * interface of `src/models`, which owns the cache, the checks and the
 * messages.
 *
 * Facts this file relies on (node-llama-cpp 3.22.1, checked against a
 * loopback server): a cancelled download resolves instead of rejecting; its
 * close runs asynchronously, and must be awaited before the files are looked
 * at; the resume journal is `<name>.ipull` (the bytes, then a progress record)
 * and is kept with `deleteTempFileOnCancel: false`.
 */
import { createModelDownloader, GgufInsights, readGgufFileInfo, resolveModelFile, type ModelDownloader } from "node-llama-cpp";
import type { ModelFiles, ModelSummary, PreparedDownload, PrepareDownloadOptions } from "../models/model-files.js";

/** The node-llama-cpp implementation of `ModelFiles`. */
export const llamaModelFiles: ModelFiles = {
  async findCached(uri, directory, hubEndpoint) {
    try {
      return await resolveModelFile(uri, { directory, download: false, cli: false, endpoints: { huggingFace: hubEndpoint } });
    } catch {
      return undefined;
    }
  },

  async prepareDownload(options) {
    return prepareLlamaDownload(options);
  },

  async inspect(path) {
    return inspectGguf(path);
  },
};

async function prepareLlamaDownload(options: PrepareDownloadOptions): Promise<PreparedDownload> {
  let listener: ((downloaded: number, total: number) => void) | undefined;
  const downloader: ModelDownloader = await createModelDownloader({
    modelUri: options.uri,
    dirPath: options.directory,
    showCliProgress: false,
    skipExisting: true,
    deleteTempFileOnCancel: false,
    // null, not undefined: node-llama-cpp would otherwise also read ~/.cache/huggingface/token; the token comes from HF_TOKEN only.
    tokens: { huggingFace: (options.hubToken ?? null) as string | undefined },
    endpoints: { huggingFace: options.hubEndpoint },
    onProgress: (status) => listener?.(status.downloadedSize, status.totalSize),
  });
  if (downloader.totalFiles > 1) {
    await downloader.cancel({ deleteTempFile: true });
    throw new Error(`it is a GGUF split into ${downloader.totalFiles} files, which 'urial pull' does not take yet; merge the parts with llama.cpp's llama-gguf-split --merge and pass the file`);
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= downloader.cancel({ deleteTempFile: false }));
  return {
    fileName: downloader.entrypointFilename,
    totalSize: downloader.totalSize,
    downloadedSize: () => downloader.downloadedSize,
    async start({ signal, onProgress }) {
      listener = onProgress;
      // Cancel ourselves instead of passing the signal, so the close can be awaited.
      const onAbort = () => void close();
      if (signal.aborted) return close();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await downloader.download();
      } finally {
        signal.removeEventListener("abort", onAbort);
        listener = undefined;
        if (closing) await closing;
      }
    },
    cancel: close,
  };
}

/** Header facts of a GGUF file (tensor info included, no weights read). */
export async function inspectGguf(path: string): Promise<ModelSummary> {
  const info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, spliceSplitFiles: false });
  const insights = await GgufInsights.from(info);
  const metadata = info.metadata as { general?: { architecture?: string; name?: string }; tokenizer?: { chat_template?: string } };
  const tensors = info.tensorInfo ?? [];
  const firstTensorOffset = tensors.reduce((least, tensor) => Math.min(least, Number(tensor.fileOffset)), Number.POSITIVE_INFINITY);
  return {
    architecture: metadata.general?.architecture,
    name: metadata.general?.name,
    parameters: insights.totalParameters,
    contextLength: insights.trainContextSize,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === "string" && metadata.tokenizer.chat_template.length > 0,
    // Tensor data is laid out from the first tensor on; padding only adds, so this is a lower bound of a complete file.
    requiredBytes: tensors.length === 0 ? 0 : firstTensorOffset + insights.modelSize,
  };
}
