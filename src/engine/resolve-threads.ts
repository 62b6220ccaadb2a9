/**
 * @module engine/resolve-threads
 * Turns the `--threads` (decode) and `--batch-threads` (prefill) settings
 * into counts, the one rule every command that loads a model follows:
 * - prefill `auto` = every physical core (prefill is compute-bound; this is
 *   llama.cpp's own default, so `auto` is never slower at prefill than it);
 * - decode `auto` = measured (pick-thread-count, bounded by its budget),
 *   except with every layer on a GPU, where the CPU count barely matters and
 *   the physical core count is used without measuring;
 * - a number is used as given.
 */
import { decodeThreadCandidates } from "./pick-thread-count.js";

export type ThreadSetting = number | "auto";

export interface ThreadSettings {
  /** Decode threads (`--threads`). */
  threads: ThreadSetting;
  /** Prefill threads (`--batch-threads`); defaults to `"auto"`. */
  batchThreads?: ThreadSetting;
}

export interface ResolvedThreads {
  /** A count, or "measure": run the bounded sweep over `candidates`. */
  decode: number | "measure";
  batch: number;
  /** Decode counts to measure, most first (empty unless `decode` is "measure"). */
  candidates: number[];
  /** The most threads any phase may use: the context's ideal count. */
  ceiling: number;
  /** One line on how the counts were chosen, for the start-up log. */
  reason: string;
}

export function resolveThreads(settings: ThreadSettings, cores: number, allLayersOnGpu: boolean): ResolvedThreads {
  const physical = Math.max(1, Math.floor(cores));
  const batchSetting = settings.batchThreads ?? "auto";
  const batch = batchSetting === "auto" ? physical : batchSetting;
  const reasons = [batchSetting === "auto" ? `prefill: all ${physical} physical cores` : "prefill: as given"];
  let decode: number | "measure";
  let candidates: number[] = [];
  if (settings.threads !== "auto") {
    decode = settings.threads;
    reasons.push("decode: as given");
  } else if (allLayersOnGpu) {
    decode = physical;
    reasons.push("decode: every layer is on the GPU, not measured");
  } else if (physical === 1) {
    decode = 1;
    reasons.push("decode: one core");
  } else {
    decode = "measure";
    candidates = decodeThreadCandidates(physical);
    reasons.push(`decode: measured (${candidates.join(", ")})`);
  }
  const ceiling = Math.max(batch, decode === "measure" ? Math.max(...candidates) : decode);
  return { decode, batch, candidates, ceiling, reason: reasons.join("; ") };
}
