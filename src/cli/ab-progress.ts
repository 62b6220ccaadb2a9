/**
 * @module cli/ab-progress
 * Progress of `urial ab`: per phase (answers, then judging) a bar redrawn in
 * place on a terminal, and otherwise (logs, CI) one line when a phase starts
 * and one per tenth of its work.
 */
import type { AbProgressEvent } from "../ab/offline/run-ab.js";
import type { ProgressOutput } from "./progress-bar.js";
import { formatDuration, statusLine } from "./terminal-line.js";

/** The progress callback for `runAb`, and `end()` to finish the bar's line. */
export function createAbProgress(output: ProgressOutput): { update: (event: AbProgressEvent) => void; end: () => void } {
  const tty = output.isTTY === true;
  let drawn = false;
  let started = 0;
  let lastTenth = 0;
  const finishLine = () => {
    if (tty && drawn) output.write("\n");
    drawn = false;
  };
  return {
    update(event) {
      if (event.type === "phase") {
        finishLine();
        started = performance.now();
        lastTenth = 0;
        const todo = event.total - event.cached;
        const noun = event.phase === "answers" ? "answers" : "judgements";
        output.write(`${noun}: ${event.total} in all, ${event.cached} cached, ${todo} to ${event.phase === "answers" ? "generate" : "ask the judge for"}\n`);
        return;
      }
      const noun = event.phase === "answers" ? "answers" : "judgements";
      if (tty) {
        const elapsed = (performance.now() - started) / 1000;
        const left = (elapsed / event.done) * (event.total - event.done);
        output.write(statusLine({ done: event.done, total: event.total, words: `${event.done}/${event.total} ${noun} · ${formatDuration(left)} left · ${event.label}`, columns: output.columns }));
        drawn = true;
        if (event.done === event.total) finishLine();
        return;
      }
      const tenth = Math.floor((event.done / event.total) * 10);
      if (tenth > lastTenth || event.done === event.total) {
        lastTenth = tenth;
        output.write(`${noun} ${event.done}/${event.total} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    },
    end: finishLine,
  };
}
