import { describe, expect, it } from "vitest";
import { createProgressBar } from "../../src/cli/progress-bar.js";
import { makePrompt } from "./support/make-position.js";

const prompt = makePrompt("cat", [
  { zeroShot: 9, urial: 1 },
  { zeroShot: 1, urial: 1 },
]);

describe("createProgressBar", () => {
  it("writes one line per prompt when the output is not a terminal", () => {
    let written = "";
    const bar = createProgressBar({ write: (text: string) => (written += text), isTTY: false });
    bar.update({ type: "start", total: 2 });
    bar.update({ type: "prompt", index: 0, total: 2, prompt, milliseconds: 1234 });
    bar.end();
    expect(written).toBe("analysing 2 prompts\n[1/2] cat: 2 tokens, zero-shot 50.0 % / URIAL 0.0 % shifted (1.2 s)\n");
  });

  it("redraws one line in place on a terminal and ends it once", () => {
    const writes: string[] = [];
    const bar = createProgressBar({ write: (text: string) => writes.push(text), isTTY: true, columns: 200 });
    bar.update({ type: "start", total: 2 });
    bar.update({ type: "prompt", index: 0, total: 2, prompt, milliseconds: 10 });
    bar.update({ type: "prompt", index: 1, total: 2, prompt, milliseconds: 10 });
    bar.end();
    bar.end();
    expect(writes.slice(0, 3).every((text) => text.startsWith("\r[") && !text.includes("\n"))).toBe(true);
    // The time left appears once a prompt has taken measurable time (a loaded machine).
    expect(writes[1]).toMatch(/^\r\[█{12}░{12}\] 1\/2 prompts · (\d+ s left · )?cat: 2 tokens/);
    expect(writes[2]).toMatch(/^\r\[█{24}\] 2\/2 prompts/);
    expect(writes.slice(3)).toEqual(["\n"]);
  });

  it("cuts the line to the terminal width", () => {
    const writes: string[] = [];
    const bar = createProgressBar({ write: (text: string) => writes.push(text), isTTY: true, columns: 40 });
    bar.update({ type: "start", total: 1 });
    bar.update({ type: "prompt", index: 0, total: 1, prompt, milliseconds: 10 });
    // What shows on the terminal: the carriage return and the erase-to-end-of-line take no columns.
    const visible = writes[1]!.replace(/\r|\x1b\[K/g, "");
    expect(visible.length).toBeGreaterThan(20);
    expect(visible.length).toBeLessThanOrEqual(40);
  });
});
