/**
 * @module cli/progress-bar
 * Progress of a long `urial shift` run: a bar redrawn in place on a TTY, one
 * line per prompt otherwise (logs and CI).
 */
import type { ShiftProgressEvent } from "../shift/run-shift.js";
import { formatShare } from "../shift/format-shift-summary.js";

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
          output.write(`\r${bar(0, event.total)} 0/${event.total} prompts`);
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
        const line = `\r${bar(done, event.total)} ${done}/${event.total} prompts · ${prompt.id}: ${prompt.positions.length} tokens, ${shifted} · ${Math.round(left)} s left`;
        const width = output.columns ?? 120;
        output.write(line.length - 1 > width ? `${line.slice(0, width)}` : `${line}\x1b[K`);
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

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}
