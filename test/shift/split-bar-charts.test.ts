/**
 * The split bar charts of both report pages (shift's report.html and the
 * exemplar search's report.html), pinned whole for small fixed reports: the
 * legend, a row per context or bucket, the stacked bars with their titles,
 * the in-bar percentages (only where a bar is wide enough), the "no
 * positions" note of shift's empty buckets, and escaped labels. The
 * snapshots are files beside this one, one SVG element per line, so a change
 * reads in the diff.
 */
import { describe, expect, it } from "vitest";
import { renderSearchReportHtml } from "../../src/exemplar-search/render-search-report-html.js";
import { searchReportSchema } from "../../src/exemplar-search/search-report-schema.js";
import { renderReportHtml } from "../../src/shift/render-report-html.js";
import { sampleSearchReport } from "../exemplar-search/support/sample-search-report.js";
import { sampleReport } from "./support/sample-report.js";

/** The split charts of a page, one element per line. */
function splitCharts(html: string): string[] {
  return [...html.matchAll(/<svg class="chart split-chart"[\s\S]*?<\/svg>/g)].map((match) => `${match[0].replaceAll("><", ">\n<")}\n`);
}

describe("split bar charts", () => {
  it("the shift report: overall and each bucket, zero-shot and URIAL", async () => {
    const charts = splitCharts(renderReportHtml(sampleReport()));
    expect(charts).toHaveLength(1);
    await expect(charts[0]).toMatchFileSnapshot("__snapshots__/shift-split-chart.svg");
  });

  it("the exemplar search report: every context, then zero-shot and chosen per non-empty bucket", async () => {
    const report = sampleSearchReport();
    expect(searchReportSchema.safeParse(report).success).toBe(true);
    const charts = splitCharts(renderSearchReportHtml(report));
    expect(charts).toHaveLength(2);
    await expect(charts[0]).toMatchFileSnapshot("__snapshots__/search-split-chart.svg");
    await expect(charts[1]).toMatchFileSnapshot("__snapshots__/search-bucket-split-chart.svg");
  });
});
