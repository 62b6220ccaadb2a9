/**
 * @module models/model-files
 * What the models folder needs from node-llama-cpp — its URI resolver, its
 * downloader and its GGUF reader — as an interface, so this folder never
 * imports it (the implementation is `engine/llama-model-files.ts`).
 */

/** What `urial models` shows about a GGUF, read from its header. */
export interface ModelSummary {
  /** `general.architecture`, e.g. `llama`. */
  architecture: string | undefined;
  /** `general.name`. */
  name: string | undefined;
  /** Parameters, counted from the tensor shapes. */
  parameters: number;
  /** Training context length in tokens. */
  contextLength: number | undefined;
  /** A `tokenizer.chat_template` is present: an instruction-tuned (chat) model rather than a base model. */
  hasChatTemplate: boolean;
  /** The least file size at which every tensor's data is present (a shorter file was cut off). */
  requiredBytes: number;
}

export interface PrepareDownloadOptions {
  /** `hf:` URI or http(s) URL. */
  uri: string;
  /** Folder the file is written to (the `.partial` staging folder). */
  directory: string;
  hubEndpoint: string;
  hubToken: string | undefined;
}

/** A download that knows its file name and size but has not transferred anything yet. */
export interface PreparedDownload {
  /** The file name the downloader chose (node-llama-cpp's naming for `hf:` URIs). */
  readonly fileName: string;
  /** Bytes, or 0 when the server gave no length. */
  readonly totalSize: number;
  /** Bytes transferred so far, including what an earlier, interrupted run left. */
  downloadedSize(): number;
  /** Transfers the file into the folder; resolves also when `signal` stopped it early. */
  start(options: { signal: AbortSignal; onProgress: (downloaded: number, total: number) => void }): Promise<void>;
  /** Stops and closes the download, keeping any partial file. */
  cancel(): Promise<void>;
}

export interface ModelFiles {
  /** The file node-llama-cpp's resolver finds for `uri` in `directory`, without touching the network; undefined when none. */
  findCached(uri: string, directory: string, hubEndpoint: string): Promise<string | undefined>;
  /** Resolves the URI (an `hf:` quant tag needs the hub) and asks the server for the size; transfers nothing yet. */
  prepareDownload(options: PrepareDownloadOptions): Promise<PreparedDownload>;
  /** Reads a GGUF header; throws for a file that is not a readable GGUF. */
  inspect(path: string): Promise<ModelSummary>;
}
