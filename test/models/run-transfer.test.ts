/**
 * The stall watchdog and the outcomes of a transfer, with a scripted
 * download in place of node-llama-cpp's (no network, no files).
 */
import { describe, expect, it } from "vitest";
import type { PreparedDownload } from "../../src/models/model-files.js";
import { runTransfer } from "../../src/models/run-transfer.js";

/** A download that sends `steps` byte counts, one per tick, then does what `end` says. */
function scripted(steps: number[], end: "finish" | "hang" | "throw"): PreparedDownload {
  let downloaded = 0;
  return {
    fileName: "m.gguf",
    totalSize: 100,
    downloadedSize: () => downloaded,
    async start({ signal, onProgress }) {
      for (const step of steps) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        downloaded = step;
        onProgress(step, 100);
      }
      if (end === "throw") throw new Error("HTTP 403 Forbidden");
      // A hung or retrying transfer: returns (as node-llama-cpp's does) only once it is stopped.
      if (end === "hang" && !signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    },
    cancel: async () => undefined,
  };
}

describe("runTransfer", () => {
  it("is done when the download finishes, passing progress through", async () => {
    const seen: number[] = [];
    expect(await runTransfer(scripted([10, 60, 100], "finish"), { stallTimeoutMs: 60_000, onProgress: (downloaded) => seen.push(downloaded) })).toEqual({ type: "done" });
    expect(seen).toEqual([10, 60, 100]);
  });

  it("stops a transfer that gains no byte for the stall time, reporting how far it got", async () => {
    expect(await runTransfer(scripted([10, 40], "hang"), { stallTimeoutMs: 100, onProgress: () => undefined })).toEqual({ type: "stalled", downloaded: 40 });
  });

  it("is interrupted when the caller's signal fires", async () => {
    const controller = new AbortController();
    const outcome = runTransfer(scripted([20], "hang"), { stallTimeoutMs: 60_000, signal: controller.signal, onProgress: () => controller.abort() });
    expect(await outcome).toEqual({ type: "interrupted", downloaded: 20 });
  });

  it("reports a download error as failed", async () => {
    const outcome = await runTransfer(scripted([30], "throw"), { stallTimeoutMs: 60_000, onProgress: () => undefined });
    expect(outcome).toMatchObject({ type: "failed", downloaded: 30 });
    expect((outcome as { error: Error }).error.message).toBe("HTTP 403 Forbidden");
  });
});
