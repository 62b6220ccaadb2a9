/**
 * @module cli/download-progress
 * Shows a pull as it runs: a bar redrawn in place on a terminal (any width),
 * and one line per 10 % otherwise (logs and CI), on stderr; both with the
 * speed and the time left once a second of the transfer has been seen.
 */
import { formatBytes } from "../models/format-bytes.js";
import type { PullEvent } from "../models/pull-event.js";
import type { ProgressOutput } from "./progress-bar.js";
import { formatDuration, statusLine } from "./terminal-line.js";
import { TransferRate, type RateEstimate } from "./transfer-rate.js";

/** Returns the event handler for a pull; `end()` finishes a bar line left open. `now` (ms) is the clock. */
export function createDownloadProgress(output: ProgressOutput, prefix = "[urial] ", now: () => number = () => performance.now()): { onEvent: (event: PullEvent) => void; end: () => void } {
  const tty = output.isTTY === true;
  let drawn = false;
  let lastShown = -1;
  let lastDrawnAt = 0;
  let rate = new TransferRate();
  const end = () => {
    if (drawn) output.write("\n");
    drawn = false;
  };
  return {
    end,
    onEvent(event) {
      switch (event.type) {
        case "cached":
          output.write(`${prefix}${event.name} is in the cache (${formatBytes(event.size)}): ${event.path}\n`);
          return;
        case "start": {
          const size = event.total > 0 ? ` (${formatBytes(event.total)})` : "";
          const resumed = event.resumedFrom > 0 && event.total > 0 ? `, resuming at ${percent(event.resumedFrom, event.total)} %` : "";
          output.write(`${prefix}downloading ${event.source} as ${event.name}${size}${resumed}\n`);
          rate = new TransferRate();
          rate.update(now(), event.resumedFrom, event.total);
          lastShown = event.total > 0 ? (tty ? percent(event.resumedFrom, event.total) : Math.floor(percent(event.resumedFrom, event.total) / 10) * 10) : -1;
          return;
        }
        case "progress": {
          const at = now();
          const estimate = rate.update(at, event.downloaded, event.total);
          if (event.total <= 0) {
            if (tty) {
              output.write(statusLine({ prefix, done: 0, total: 0, bar: false, words: `${formatBytes(event.downloaded)}${speedWords(estimate, " · ")}`, columns: output.columns }));
              drawn = true;
            }
            return;
          }
          const shown = percent(event.downloaded, event.total);
          if (tty) {
            // Redraw on every new percent, and at least twice a second for the speed.
            if (shown === lastShown && drawn && at - lastDrawnAt < 500) return;
            lastShown = shown;
            lastDrawnAt = at;
            const words = `${String(shown).padStart(3)} % ${formatBytes(event.downloaded)} / ${formatBytes(event.total)}${speedWords(estimate, " · ")}`;
            output.write(statusLine({ prefix, done: shown, total: 100, words, columns: output.columns }));
            drawn = true;
            return;
          }
          const step = Math.floor(shown / 10) * 10;
          if (step <= lastShown) return;
          lastShown = step;
          output.write(`${prefix}${event.name}: ${step} % (${formatBytes(event.downloaded)} of ${formatBytes(event.total)}${speedWords(estimate, ", ")})\n`);
          return;
        }
        case "verifying":
          end();
          output.write(`${prefix}verifying ${event.name}: size, GGUF header${event.sha256 ? ", sha256" : " (the source gives no sha256)"}\n`);
          return;
        case "done":
          output.write(`${prefix}pulled ${event.name} (${formatBytes(event.size)}${event.sha256Verified ? ", sha256 verified" : ""}): ${event.path}\n`);
          return;
      }
    },
  };
}

function percent(part: number, total: number): number {
  return Math.min(100, Math.floor((part / total) * 100));
}

/** `· 5.2 MiB/s · 12 s left` once the speed is known; empty before. */
function speedWords(estimate: RateEstimate, separator: string): string {
  if (estimate.bytesPerSecond === undefined) return "";
  const speed = `${separator}${formatBytes(Math.round(estimate.bytesPerSecond))}/s`;
  return estimate.secondsLeft === undefined ? speed : `${speed}${separator}${formatDuration(estimate.secondsLeft)} left`;
}
