/**
 * `urial ab` progress: a bar redrawn in place on a terminal, a line per
 * phase and per tenth of the work otherwise.
 */
import { describe, expect, it } from "vitest";
import { createAbProgress } from "../../src/cli/ab-progress.js";

function output(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text), isTTY, columns: 200 } };
}

describe("createAbProgress", () => {
  it("writes a phase line and a line per tenth when not on a terminal", () => {
    const { writes, stream } = output(false);
    const progress = createAbProgress(stream);
    progress.update({ type: "phase", phase: "answers", total: 25, cached: 5 });
    for (let done = 1; done <= 20; done += 1) progress.update({ type: "step", phase: "answers", done, total: 20, label: `item ${done}` });
    progress.update({ type: "phase", phase: "judging", total: 3, cached: 3 });
    progress.end();
    expect(writes[0]).toBe("answers: 25 in all, 5 cached, 20 to generate\n");
    expect(writes.slice(1, -1).map((line) => line.replace(/ \(.*\)\n$/, ""))).toEqual(Array.from({ length: 10 }, (_, index) => `answers ${(index + 1) * 2}/20`));
    expect(writes.at(-1)).toBe("judgements: 3 in all, 3 cached, 0 to ask the judge for\n");
  });

  it("redraws one bar in place on a terminal and ends its line", () => {
    const { writes, stream } = output(true);
    const progress = createAbProgress(stream);
    progress.update({ type: "phase", phase: "judging", total: 2, cached: 0 });
    progress.update({ type: "step", phase: "judging", done: 1, total: 2, label: "scores · urial/a · q1" });
    progress.update({ type: "step", phase: "judging", done: 2, total: 2, label: "pair · urial/b vs urial/a · q1" });
    progress.end();
    expect(writes[1]).toMatch(/^\r\[█{12}░{12}\] 1\/2 judgements · \d+ s left · scores · urial\/a · q1\x1b\[K$/);
    expect(writes[2]).toMatch(/^\r\[█{24}\] 2\/2 judgements · 0 s left · pair/);
    expect(writes.slice(3)).toEqual(["\n"]);
  });
});
