import { describe, expect, it } from "vitest";
import { createDownloadProgress } from "../../src/cli/download-progress.js";

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { output: { isTTY, write: (text: string) => chunks.push(text) }, text: () => chunks.join("") };
}

const name = "m.gguf";

describe("createDownloadProgress", () => {
  it("writes one line per 10 % when stderr is not a terminal, each step once", () => {
    const { output, text } = capture(false);
    const progress = createDownloadProgress(output);
    progress.onEvent({ type: "start", name, source: "hf:u/r/m.gguf", total: 1000, resumedFrom: 0 });
    for (let downloaded = 0; downloaded <= 1000; downloaded += 25) progress.onEvent({ type: "progress", name, downloaded, total: 1000 });
    progress.onEvent({ type: "verifying", name, sha256: true });
    progress.onEvent({ type: "done", name, path: "/models/m.gguf", size: 1000, sha256Verified: true });
    progress.end();
    const lines = text().trimEnd().split("\n");
    expect(lines[0]).toBe("[urial] downloading hf:u/r/m.gguf as m.gguf (1000 B)");
    expect(lines.slice(1, 11)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((step) => expect.stringMatching(new RegExp(`^\\[urial\\] m\\.gguf: ${step} % \\(`))));
    expect(lines.slice(11)).toEqual(["[urial] verifying m.gguf: size, GGUF header, sha256", "[urial] pulled m.gguf (1000 B, sha256 verified): /models/m.gguf"]);
    expect(text()).not.toContain("\r");
  });

  it("starts counting from where a resumed download already is", () => {
    const { output, text } = capture(false);
    const progress = createDownloadProgress(output);
    progress.onEvent({ type: "start", name, source: "https://x.test/m.gguf", total: 1000, resumedFrom: 450 });
    progress.onEvent({ type: "progress", name, downloaded: 460, total: 1000 });
    progress.onEvent({ type: "progress", name, downloaded: 500, total: 1000 });
    expect(text()).toBe("[urial] downloading https://x.test/m.gguf as m.gguf (1000 B), resuming at 45 %\n[urial] m.gguf: 50 % (500 B of 1000 B)\n");
  });

  it("redraws one bar in place on a terminal and ends its line before the next message", () => {
    const { output, text } = capture(true);
    const progress = createDownloadProgress(output);
    progress.onEvent({ type: "start", name, source: "hf:u/r/m.gguf", total: 200, resumedFrom: 0 });
    progress.onEvent({ type: "progress", name, downloaded: 100, total: 200 });
    progress.onEvent({ type: "progress", name, downloaded: 100, total: 200 });
    progress.onEvent({ type: "progress", name, downloaded: 200, total: 200 });
    progress.onEvent({ type: "verifying", name, sha256: false });
    const written = text();
    expect(written.match(/\r/g)).toHaveLength(2);
    expect(written).toContain(" 50 % 100 B / 200 B\x1b[K");
    expect(written).toContain("100 % 200 B / 200 B\x1b[K\n[urial] verifying m.gguf: size, GGUF header (the source gives no sha256)\n");
  });

  it("says when the model was already in the cache", () => {
    const { output, text } = capture(false);
    createDownloadProgress(output).onEvent({ type: "cached", name, path: "/models/m.gguf", size: 2048 });
    expect(text()).toBe("[urial] m.gguf is in the cache (2.0 KiB): /models/m.gguf\n");
  });
});

describe("progress at any terminal width, with speed and time left", () => {
  it("shows speed and time left once a second has passed, on lines and on the bar", () => {
    let now = 0;
    const lines = capture(false);
    const progress = createDownloadProgress(lines.output, "[urial] ", () => now);
    progress.onEvent({ type: "start", name, source: "https://x.test/m.gguf", total: 10 * 1024 * 1024, resumedFrom: 0 });
    now = 2000;
    progress.onEvent({ type: "progress", name, downloaded: 2 * 1024 * 1024, total: 10 * 1024 * 1024 });
    expect(lines.text().split("\n")[1]).toBe("[urial] m.gguf: 20 % (2.0 MiB of 10.0 MiB, 1.0 MiB/s, 8 s left)");

    now = 0;
    const bar = capture(true);
    const tty = createDownloadProgress({ ...bar.output, columns: 100 }, "[urial] ", () => now);
    tty.onEvent({ type: "start", name, source: "https://x.test/m.gguf", total: 10 * 1024 * 1024, resumedFrom: 0 });
    now = 4000;
    tty.onEvent({ type: "progress", name, downloaded: 8 * 1024 * 1024, total: 10 * 1024 * 1024 });
    expect(bar.text()).toContain("\r[urial] [███████████████████░░░░░]  80 % 8.0 MiB / 10.0 MiB · 2.0 MiB/s · 1 s left\x1b[K");
  });

  it("draws something on a terminal that reports 0 columns, and never a line wider than a narrow one", () => {
    for (const columns of [0, undefined, 30, 12]) {
      const { output, text } = capture(true);
      const progress = createDownloadProgress({ ...output, columns }, "[urial] ", () => 0);
      progress.onEvent({ type: "start", name, source: "hf:u/r/m.gguf", total: 1000, resumedFrom: 0 });
      progress.onEvent({ type: "progress", name, downloaded: 500, total: 1000 });
      const redraw = text().split("\r").at(-1)!.replace("\x1b[K", "");
      expect(redraw, `columns ${columns}`).toContain("[urial]");
      expect([...redraw].length, `columns ${columns}`).toBeLessThan(columns === undefined || columns === 0 ? 80 : columns);
      if (columns === 0 || columns === undefined) expect(redraw).toContain(" 50 % 500 B / 1000 B");
    }
  });
});
