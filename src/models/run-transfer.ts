/**
 * @module models/run-transfer
 * Runs a prepared download with a stall watchdog. node-llama-cpp's
 * downloader retries a dropped connection up to 150 times with back-off, so a
 * server that keeps cutting the body off would make a pull hang for minutes:
 * the watchdog stops the transfer once no new byte has arrived for the stall
 * time (a connection that recovers within it carries on).
 */
import type { PreparedDownload } from "./model-files.js";

export type TransferOutcome = { type: "done" } | { type: "stalled"; downloaded: number } | { type: "interrupted"; downloaded: number } | { type: "failed"; downloaded: number; error: unknown };

export interface TransferOptions {
  stallTimeoutMs: number;
  /** Stops the transfer (Ctrl-C); the outcome is then `interrupted`. */
  signal?: AbortSignal;
  onProgress: (downloaded: number, total: number) => void;
}

/** Transfers the file; never throws — every way it can end is an outcome. */
export async function runTransfer(download: PreparedDownload, options: TransferOptions): Promise<TransferOutcome> {
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) return { type: "interrupted", downloaded: download.downloadedSize() };
  options.signal?.addEventListener("abort", stop, { once: true });
  let highWater = download.downloadedSize();
  let lastGain = Date.now();
  let stalled = false;
  const watchdog = setInterval(
    () => {
      const now = download.downloadedSize();
      if (now > highWater) {
        highWater = now;
        lastGain = Date.now();
      } else if (Date.now() - lastGain >= options.stallTimeoutMs) {
        stalled = true;
        controller.abort(new Error("stalled"));
      }
    },
    Math.min(1000, Math.max(25, options.stallTimeoutMs / 5)),
  );
  try {
    await download.start({ signal: controller.signal, onProgress: options.onProgress });
  } catch (error) {
    if (!controller.signal.aborted) return { type: "failed", downloaded: Math.max(highWater, download.downloadedSize()), error };
  } finally {
    clearInterval(watchdog);
    options.signal?.removeEventListener("abort", stop);
  }
  const downloaded = Math.max(highWater, download.downloadedSize());
  if (stalled) return { type: "stalled", downloaded };
  if (controller.signal.aborted) return { type: "interrupted", downloaded };
  return { type: "done" };
}
