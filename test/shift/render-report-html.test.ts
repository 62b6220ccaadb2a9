import { describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/shift/render-report-html.js";
import { shiftReportSchema } from "../../src/shift/shift-schema.js";
import { hostileText, sampleReport } from "./support/sample-report.js";

describe("renderReportHtml", () => {
  const report = sampleReport();
  const html = renderReportHtml(report);

  it("renders from a valid report", () => {
    expect(shiftReportSchema.safeParse(report).success).toBe(true);
    expect(html.startsWith("<!doctype html>")).toBe(true);
  });

  it("is self-contained: no external URL, no src/href attribute, and a CSP that forbids the network", () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<[a-z][^>]*\s(src|href)\s*=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
  });

  it("never lets model text close an element or open a tag", () => {
    // The only <script> and <img> tags are the page's own.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>cats</b>");
    expect(html).toContain("&lt;b&gt;cats&lt;/b&gt; &amp; &lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;&amp;amp; &quot;q&quot; &#39;a&#39;");
    expect(html).toContain("base &lt;model&gt; → chat &amp; co");
  });

  it("embeds the per-position data as JSON that round-trips", () => {
    const json = /<script type="application\/json" id="shift-data">([^<]*)<\/script>/.exec(html)?.[1];
    expect(json).toBeDefined();
    expect(json).not.toMatch(/[<>&\u2028]/);
    const data = JSON.parse(json!) as { prompts: { id: string; positions: { t: string; z: { r: number; top: [number, string, number][] } }[] }[] };
    expect(data.prompts.map((prompt) => prompt.id)).toEqual(["first", "second"]);
    expect(data.prompts[0]!.positions[3]!.t).toBe(hostileText);
    expect(data.prompts[0]!.positions[3]!.z.r).toBe(5);
    expect(data.prompts[0]!.positions[0]!.z.top[0]).toEqual([98, " the", 0.1]);
  });

  it("colours each answer token by category in both columns", () => {
    const spans = [...html.matchAll(/<span class="t (unshifted|marginal|shifted)( special)?" data-p="(\d+)" data-i="(\d+)"/g)];
    expect(spans).toHaveLength(2 * (8 + 3));
    const zeroShotFirst = spans
      .filter((span) => span[3] === "0")
      .slice(0, 8)
      .map((span) => span[1]);
    expect(zeroShotFirst).toEqual(["shifted", "marginal", "unshifted", "shifted", "unshifted", "unshifted", "unshifted", "shifted"]);
  });

  it("shows the summary line, the charts and the top-shifted tables", () => {
    expect(html).toContain('<p class="summary" id="summary">2 prompts, 11 answer tokens (1 cut to fit the context) · zero-shot base:');
    expect(html.match(/<svg class="chart/g)).toHaveLength(3);
    expect(html).toContain('<table class="shifted-tokens" data-context="zeroShot">');
    expect(html).toContain("cut from 8 to 3 tokens");
  });
});
