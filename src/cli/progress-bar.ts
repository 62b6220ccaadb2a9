/**
 * @module cli/progress-bar
 * Progress of a long `urial shift` run: a bar redrawn in place on a TTY, one
 * line per prompt otherwise (logs and CI).
 */
import type { ShiftProgressEvent } from "../shift/run-shift.js";
import { formatShare } from "../shift/format-shift-summary.js";
import { formatDuration, statusLine } from "./terminal-line.js";

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Returns the progress callback for `runShift`, and `end()` to finish the bar's line. */
export function createProgressBar(output: ProgressOutput): { update: (event: ShiftProgressEvent) => void; end: () => void } {
  const tty = output.isTTY === true;
  let drawn = false;
  let started = 0;
  return {
    update(event) {
      if (event.type === "start") {
        started = performance.now();
        if (tty) {
          output.write(statusLine({ done: 0, total: event.total, words: `0/${event.total} prompts`, columns: output.columns }));
          drawn = true;
        } else output.write(`analysing ${event.total} prompt${event.total === 1 ? "" : "s"}\n`);
        return;
      }
      const { prompt } = event;
      const done = event.index + 1;
      const shifted = `zero-shot ${formatShare(prompt.summary.zeroShot.shiftedShare)} / URIAL ${formatShare(prompt.summary.urial.shiftedShare)} shifted`;
      if (tty) {
        const elapsed = (performance.now() - started) / 1000;
        const left = (elapsed / done) * (event.total - done);
        const words = `${done}/${event.total} prompts · ${formatDuration(left)} left · ${prompt.id}: ${prompt.positions.length} tokens, ${shifted}`;
        output.write(statusLine({ done, total: event.total, words, columns: output.columns }));
        drawn = true;
      } else {
        const cut = prompt.answer.truncated ? ` (cut from ${prompt.answer.fullTokens})` : "";
        output.write(`[${done}/${event.total}] ${prompt.id}: ${prompt.positions.length} tokens${cut}, ${shifted} (${(event.milliseconds / 1000).toFixed(1)} s)\n`);
      }
    },
    end() {
      if (tty && drawn) output.write("\n");
      drawn = false;
    },
  };
}
