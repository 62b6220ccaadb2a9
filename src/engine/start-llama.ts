/**
 * @module engine/start-llama
 * The one place llama.cpp is started: prebuilt binaries only (never a build
 * or a download), the thread cap always passed (node-llama-cpp's CPU default
 * is ~1000× slower on 2 cores), and its log routed to the caller.
 */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";

export interface StartLlamaOptions {
  /** Upper bound on CPU threads. */
  threads: number;
  /** GPU backend; `false` is CPU only. Defaults to `"auto"`. */
  gpu?: "auto" | "cuda" | "vulkan" | "metal" | false;
  /** Receives llama.cpp's warnings and errors. */
  onLog?: (level: "warn" | "error", message: string) => void;
}

/** Starts llama.cpp; rejects with node-llama-cpp's own error when it cannot. */
export function startLlama(options: StartLlamaOptions): Promise<Llama> {
  return getLlama({
    gpu: options.gpu ?? "auto",
    build: "never",
    maxThreads: options.threads,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      if (text.length === 0) return;
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) options.onLog?.("error", text);
      else if (level === LlamaLogLevel.warn) options.onLog?.("warn", text);
    },
  });
}
