/**
 * @module cli/search-progress
 * Progress of `urial exemplars search`: a bar redrawn in place on a TTY with
 * the sets scored so far and the current best; one line per scored set and
 * per phase otherwise (logs and CI).
 */
import type { SearchProgressEvent } from "../exemplar-search/run-exemplar-search.js";
import type { ObjectiveName } from "../exemplar-search/search-report-schema.js";
import { formatShare } from "../shift/format-shift-summary.js";
import type { ProgressOutput } from "./progress-bar.js";

/** Formats an objective value: a share for `shifted`, nats for `kl`. */
export function formatObjectiveValue(objective: ObjectiveName, value: number | null): string {
  if (value === null) return "does not fit the prefix budget";
  return objective === "shifted" ? `${formatShare(value)} shifted` : `${value.toFixed(4)} nats mean KL`;
}

/** Returns the progress callback for `runExemplarSearch`, and `end()` to finish the bar's line. */
export function createSearchProgress(output: ProgressOutput, objective: ObjectiveName): { update: (event: SearchProgressEvent) => void; end: () => void } {
  const tty = output.isTTY === true;
  let drawn = false;
  const line = (text: string) => {
    if (tty) {
      const width = output.columns ?? 120;
      output.write(`\r${text.length > width ? text.slice(0, width) : `${text}\x1b[K`}`);
      drawn = true;
    } else output.write(`${text}\n`);
  };
  const finishLine = () => {
    if (tty && drawn) output.write("\n");
    drawn = false;
  };
  return {
    update(event) {
      if (event.type === "answers") {
        line(`chat answers: ${event.done}/${event.total}`);
        if (event.done === event.total) finishLine();
        return;
      }
      if (event.type === "phase") {
        finishLine();
        output.write(`${event.phase}: ${event.detail}\n`);
        return;
      }
      if (event.repeated && !tty) return;
      const where = event.phase === "start" ? "system prompt alone" : event.phase === "greedy" ? `greedy step ${event.step}` : `swap pass ${event.step}`;
      const set = event.ids.length === 0 ? "(no exemplar)" : event.ids.join(" + ");
      const best = `best ${formatObjectiveValue(objective, event.best)}`;
      if (tty) line(`${bar(event.evaluations, event.planned)} ${event.evaluations}/${event.planned} sets · ${where} · ${best}`);
      else line(`[${event.evaluations}/${event.planned}] ${where}: ${set} → ${formatObjectiveValue(objective, event.objective)} (${best})`);
    },
    end: finishLine,
  };
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}
