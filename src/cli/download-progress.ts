/**
 * @module cli/download-progress
 * Shows a pull as it runs: a bar redrawn in place on a terminal, and one line
 * per 10 % otherwise (logs and CI), on stderr.
 */
import { formatBytes } from "../models/format-bytes.js";
import type { PullEvent } from "../models/pull-event.js";
import type { ProgressOutput } from "./progress-bar.js";

/** Returns the event handler for a pull; `end()` finishes a bar line left open. */
export function createDownloadProgress(output: ProgressOutput, prefix = "[urial] "): { onEvent: (event: PullEvent) => void; end: () => void } {
  const tty = output.isTTY === true;
  let drawn = false;
  let lastShown = -1;
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
          lastShown = event.total > 0 ? (tty ? percent(event.resumedFrom, event.total) : Math.floor(percent(event.resumedFrom, event.total) / 10) * 10) : -1;
          return;
        }
        case "progress": {
          if (event.total <= 0) {
            if (tty) {
              output.write(`\r${prefix}${formatBytes(event.downloaded)}\x1b[K`);
              drawn = true;
            }
            return;
          }
          const shown = percent(event.downloaded, event.total);
          if (tty) {
            if (shown === lastShown && drawn) return;
            lastShown = shown;
            output.write(`\r${prefix}${bar(shown)} ${String(shown).padStart(3)} % ${formatBytes(event.downloaded)} / ${formatBytes(event.total)}\x1b[K`);
            drawn = true;
            return;
          }
          const step = Math.floor(shown / 10) * 10;
          if (step <= lastShown) return;
          lastShown = step;
          output.write(`${prefix}${event.name}: ${step} % (${formatBytes(event.downloaded)} of ${formatBytes(event.total)})\n`);
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

function bar(shown: number, width = 24): string {
  const filled = Math.round((shown / 100) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}
