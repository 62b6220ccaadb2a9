/**
 * Progress of `urial exemplars search`: one line per scored set (not per
 * repeat) in logs, a bar with the current best on a terminal.
 */
import { describe, expect, it } from "vitest";
import { createSearchProgress } from "../../src/cli/search-progress.js";

const evaluated = (overrides: Record<string, unknown>) => ({
  type: "evaluated" as const,
  phase: "greedy" as const,
  step: 1,
  set: [0],
  ids: ["urial-add"],
  objective: 0.05,
  best: 0.05,
  evaluations: 2,
  planned: 10,
  repeated: false,
  ...overrides,
});

describe("createSearchProgress", () => {
  it("writes one line per scored set, with the best so far, and skips repeats in logs", () => {
    const lines: string[] = [];
    const progress = createSearchProgress({ write: (text) => lines.push(text) }, "shifted");
    progress.update({ type: "phase", phase: "search", detail: "K = 2 from 9 candidates on 5 held-out queries" });
    progress.update(evaluated({}));
    progress.update(evaluated({ ids: ["terse-sub"], set: [1], objective: 0.2, evaluations: 3, repeated: true }));
    progress.update(evaluated({ phase: "swap", ids: ["urial-add", "casual-add"], set: [0, 2], objective: null, best: 0.01, evaluations: 4 }));
    progress.end();
    expect(lines).toEqual([
      "search: K = 2 from 9 candidates on 5 held-out queries\n",
      "[2/10] greedy step 1: urial-add → 5.0 % shifted (best 5.0 % shifted)\n",
      "[4/10] swap pass 1: urial-add + casual-add → does not fit the prefix budget (best 1.0 % shifted)\n",
    ]);
  });

  it("redraws a bar in place on a terminal and ends its line", () => {
    const writes: string[] = [];
    const progress = createSearchProgress({ write: (text) => writes.push(text), isTTY: true, columns: 200 }, "kl");
    progress.update(evaluated({ objective: 0.25, best: 0.125, evaluations: 5 }));
    progress.end();
    expect(writes[0]).toMatch(/^\r\[█{12}░{12}\] 5\/10 sets · greedy step 1 · best 0\.1250 nats mean KL\x1b\[K$/);
    expect(writes.at(-1)).toBe("\n");
  });
});
