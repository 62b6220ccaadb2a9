/**
 * The split bar charts of both report pages (shift's report.html and the
 * exemplar search's report.html), pinned whole for small fixed reports: the
 * legend, a row per context or bucket, the stacked bars with their titles,
 * the in-bar percentages (only where a bar is wide enough), the "no
 * positions" note of shift's empty buckets, and escaped labels. One SVG
 * element per line of the snapshot, so a change reads in the diff.
 */
import { describe, expect, it } from "vitest";
import { renderSearchReportHtml } from "../../src/exemplar-search/render-search-report-html.js";
import { searchReportSchema } from "../../src/exemplar-search/search-report-schema.js";
import { renderReportHtml } from "../../src/shift/render-report-html.js";
import { sampleSearchReport } from "../exemplar-search/support/sample-search-report.js";
import { sampleReport } from "./support/sample-report.js";

/** The split charts of a page, one element per line. */
function splitCharts(html: string): string[] {
  return [...html.matchAll(/<svg class="chart split-chart"[\s\S]*?<\/svg>/g)].map((match) => match[0].replaceAll("><", ">\n<"));
}

describe("split bar charts", () => {
  it("the shift report: overall and each bucket, zero-shot and URIAL", () => {
    const charts = splitCharts(renderReportHtml(sampleReport()));
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchInlineSnapshot(`
      "<svg class="chart split-chart" role="img" aria-label="Split of answer tokens by base rank, zero-shot and URIAL" viewBox="0 0 600 276" width="600" height="276">
      <rect x="130" y="6" width="12" height="12" fill="#d9e7d2"/>
      <text x="147" y="16">unshifted (η = 1)</text>
      <rect x="260" y="6" width="12" height="12" fill="#f4c761"/>
      <text x="277" y="16">marginal (η 2–3)</text>
      <rect x="390" y="6" width="12" height="12" fill="#e0564b"/>
      <text x="407" y="16">shifted (η > 3)</text>
      <text x="122" y="43" text-anchor="end">zero-shot, all (11)</text>
      <rect class="bar unshifted" x="130" y="30" width="250.9" height="18" fill="#d9e7d2">
      <title>zero-shot, all: unshifted 54.5 % (6 of 11)</title>
      </rect>
      <text x="255.5" y="43" text-anchor="middle" class="in-bar">55%</text>
      <rect class="bar marginal" x="380.9" y="30" width="41.8" height="18" fill="#f4c761">
      <title>zero-shot, all: marginal 9.1 % (1 of 11)</title>
      </rect>
      <text x="401.8" y="43" text-anchor="middle" class="in-bar">9%</text>
      <rect class="bar shifted" x="422.7" y="30" width="167.3" height="18" fill="#e0564b">
      <title>zero-shot, all: shifted 36.4 % (4 of 11)</title>
      </rect>
      <text x="506.4" y="43" text-anchor="middle" class="in-bar">36%</text>
      <text x="122" y="67" text-anchor="end">URIAL, all (11)</text>
      <rect class="bar unshifted" x="130" y="54" width="250.9" height="18" fill="#d9e7d2">
      <title>URIAL, all: unshifted 54.5 % (6 of 11)</title>
      </rect>
      <text x="255.5" y="67" text-anchor="middle" class="in-bar">55%</text>
      <rect class="bar marginal" x="380.9" y="54" width="83.6" height="18" fill="#f4c761">
      <title>URIAL, all: marginal 18.2 % (2 of 11)</title>
      </rect>
      <text x="422.7" y="67" text-anchor="middle" class="in-bar">18%</text>
      <rect class="bar shifted" x="464.5" y="54" width="125.5" height="18" fill="#e0564b">
      <title>URIAL, all: shifted 27.3 % (3 of 11)</title>
      </rect>
      <text x="527.3" y="67" text-anchor="middle" class="in-bar">27%</text>
      <text x="122" y="91" text-anchor="end">zero-shot, 1-5 (8)</text>
      <rect class="bar unshifted" x="130" y="78" width="230" height="18" fill="#d9e7d2">
      <title>zero-shot, 1-5: unshifted 50.0 % (4 of 8)</title>
      </rect>
      <text x="245" y="91" text-anchor="middle" class="in-bar">50%</text>
      <rect class="bar marginal" x="360" y="78" width="57.5" height="18" fill="#f4c761">
      <title>zero-shot, 1-5: marginal 12.5 % (1 of 8)</title>
      </rect>
      <text x="388.8" y="91" text-anchor="middle" class="in-bar">13%</text>
      <rect class="bar shifted" x="417.5" y="78" width="172.5" height="18" fill="#e0564b">
      <title>zero-shot, 1-5: shifted 37.5 % (3 of 8)</title>
      </rect>
      <text x="503.8" y="91" text-anchor="middle" class="in-bar">38%</text>
      <text x="122" y="115" text-anchor="end">URIAL, 1-5 (8)</text>
      <rect class="bar unshifted" x="130" y="102" width="287.5" height="18" fill="#d9e7d2">
      <title>URIAL, 1-5: unshifted 62.5 % (5 of 8)</title>
      </rect>
      <text x="273.8" y="115" text-anchor="middle" class="in-bar">63%</text>
      <rect class="bar marginal" x="417.5" y="102" width="57.5" height="18" fill="#f4c761">
      <title>URIAL, 1-5: marginal 12.5 % (1 of 8)</title>
      </rect>
      <text x="446.3" y="115" text-anchor="middle" class="in-bar">13%</text>
      <rect class="bar shifted" x="475" y="102" width="115" height="18" fill="#e0564b">
      <title>URIAL, 1-5: shifted 25.0 % (2 of 8)</title>
      </rect>
      <text x="532.5" y="115" text-anchor="middle" class="in-bar">25%</text>
      <text x="122" y="139" text-anchor="end">zero-shot, 6-20 (3)</text>
      <rect class="bar unshifted" x="130" y="126" width="306.7" height="18" fill="#d9e7d2">
      <title>zero-shot, 6-20: unshifted 66.7 % (2 of 3)</title>
      </rect>
      <text x="283.3" y="139" text-anchor="middle" class="in-bar">67%</text>
      <rect class="bar shifted" x="436.7" y="126" width="153.3" height="18" fill="#e0564b">
      <title>zero-shot, 6-20: shifted 33.3 % (1 of 3)</title>
      </rect>
      <text x="513.3" y="139" text-anchor="middle" class="in-bar">33%</text>
      <text x="122" y="163" text-anchor="end">URIAL, 6-20 (3)</text>
      <rect class="bar unshifted" x="130" y="150" width="153.3" height="18" fill="#d9e7d2">
      <title>URIAL, 6-20: unshifted 33.3 % (1 of 3)</title>
      </rect>
      <text x="206.7" y="163" text-anchor="middle" class="in-bar">33%</text>
      <rect class="bar marginal" x="283.3" y="150" width="153.3" height="18" fill="#f4c761">
      <title>URIAL, 6-20: marginal 33.3 % (1 of 3)</title>
      </rect>
      <text x="360" y="163" text-anchor="middle" class="in-bar">33%</text>
      <rect class="bar shifted" x="436.7" y="150" width="153.3" height="18" fill="#e0564b">
      <title>URIAL, 6-20: shifted 33.3 % (1 of 3)</title>
      </rect>
      <text x="513.3" y="163" text-anchor="middle" class="in-bar">33%</text>
      <text x="122" y="187" text-anchor="end">zero-shot, 21-50 (0)</text>
      <text x="134" y="187" class="muted">no positions</text>
      <text x="122" y="211" text-anchor="end">URIAL, 21-50 (0)</text>
      <text x="134" y="211" class="muted">no positions</text>
      <text x="122" y="235" text-anchor="end">zero-shot, &gt;50 (0)</text>
      <text x="134" y="235" class="muted">no positions</text>
      <text x="122" y="259" text-anchor="end">URIAL, &gt;50 (0)</text>
      <text x="134" y="259" class="muted">no positions</text>
      </svg>"
    `);
  });

  it("the exemplar search report: every context, then zero-shot and chosen per non-empty bucket", () => {
    const report = sampleSearchReport();
    expect(searchReportSchema.safeParse(report).success).toBe(true);
    const charts = splitCharts(renderSearchReportHtml(report));
    expect(charts).toHaveLength(2);
    expect(charts[0]).toMatchInlineSnapshot(`
      "<svg class="chart split-chart" role="img" aria-label="Split of answer tokens by base rank per context" viewBox="0 0 640 156" width="640" height="156">
      <rect x="170" y="6" width="12" height="12" fill="#d9e7d2"/>
      <text x="187" y="16">unshifted (η = 1)</text>
      <rect x="300" y="6" width="12" height="12" fill="#f4c761"/>
      <text x="317" y="16">marginal (η 2–3)</text>
      <rect x="430" y="6" width="12" height="12" fill="#e0564b"/>
      <text x="447" y="16">shifted (η > 3)</text>
      <text x="162" y="43" text-anchor="end">zero-shot (10)</text>
      <rect class="bar unshifted" x="170" y="30" width="184" height="18" fill="#d9e7d2">
      <title>zero-shot: unshifted 40.0 % (4 of 10)</title>
      </rect>
      <text x="262" y="43" text-anchor="middle" class="in-bar">40%</text>
      <rect class="bar marginal" x="354" y="30" width="92" height="18" fill="#f4c761">
      <title>zero-shot: marginal 20.0 % (2 of 10)</title>
      </rect>
      <text x="400" y="43" text-anchor="middle" class="in-bar">20%</text>
      <rect class="bar shifted" x="446" y="30" width="184" height="18" fill="#e0564b">
      <title>zero-shot: shifted 40.0 % (4 of 10)</title>
      </rect>
      <text x="538" y="43" text-anchor="middle" class="in-bar">40%</text>
      <text x="162" y="67" text-anchor="end">system prompt &lt;alone&gt; &amp; co (10)</text>
      <rect class="bar unshifted" x="170" y="54" width="276" height="18" fill="#d9e7d2">
      <title>system prompt &lt;alone&gt; &amp; co: unshifted 60.0 % (6 of 10)</title>
      </rect>
      <text x="308" y="67" text-anchor="middle" class="in-bar">60%</text>
      <rect class="bar marginal" x="446" y="54" width="46" height="18" fill="#f4c761">
      <title>system prompt &lt;alone&gt; &amp; co: marginal 10.0 % (1 of 10)</title>
      </rect>
      <text x="469" y="67" text-anchor="middle" class="in-bar">10%</text>
      <rect class="bar shifted" x="492" y="54" width="138" height="18" fill="#e0564b">
      <title>system prompt &lt;alone&gt; &amp; co: shifted 30.0 % (3 of 10)</title>
      </rect>
      <text x="561" y="67" text-anchor="middle" class="in-bar">30%</text>
      <text x="162" y="91" text-anchor="end">random 1 (19)</text>
      <rect class="bar unshifted" x="170" y="78" width="411.6" height="18" fill="#d9e7d2">
      <title>random 1: unshifted 89.5 % (17 of 19)</title>
      </rect>
      <text x="375.8" y="91" text-anchor="middle" class="in-bar">89%</text>
      <rect class="bar marginal" x="581.6" y="78" width="24.2" height="18" fill="#f4c761">
      <title>random 1: marginal 5.3 % (1 of 19)</title>
      </rect>
      <rect class="bar shifted" x="605.8" y="78" width="24.2" height="18" fill="#e0564b">
      <title>random 1: shifted 5.3 % (1 of 19)</title>
      </rect>
      <text x="162" y="115" text-anchor="end">chosen (10)</text>
      <rect class="bar unshifted" x="170" y="102" width="414" height="18" fill="#d9e7d2">
      <title>chosen: unshifted 90.0 % (9 of 10)</title>
      </rect>
      <text x="377" y="115" text-anchor="middle" class="in-bar">90%</text>
      <rect class="bar marginal" x="584" y="102" width="46" height="18" fill="#f4c761">
      <title>chosen: marginal 10.0 % (1 of 10)</title>
      </rect>
      <text x="607" y="115" text-anchor="middle" class="in-bar">10%</text>
      <text x="162" y="139" text-anchor="end">chat (10)</text>
      <rect class="bar unshifted" x="170" y="126" width="460" height="18" fill="#d9e7d2">
      <title>chat: unshifted 100.0 % (10 of 10)</title>
      </rect>
      <text x="400" y="139" text-anchor="middle" class="in-bar">100%</text>
      </svg>"
    `);
    expect(charts[1]).toMatchInlineSnapshot(`
      "<svg class="chart split-chart" role="img" aria-label="Split of answer tokens by base rank per context" viewBox="0 0 640 132" width="640" height="132">
      <rect x="170" y="6" width="12" height="12" fill="#d9e7d2"/>
      <text x="187" y="16">unshifted (η = 1)</text>
      <rect x="300" y="6" width="12" height="12" fill="#f4c761"/>
      <text x="317" y="16">marginal (η 2–3)</text>
      <rect x="430" y="6" width="12" height="12" fill="#e0564b"/>
      <text x="447" y="16">shifted (η > 3)</text>
      <text x="162" y="43" text-anchor="end">zero-shot, 1-5 (5)</text>
      <rect class="bar unshifted" x="170" y="30" width="92" height="18" fill="#d9e7d2">
      <title>zero-shot, 1-5: unshifted 20.0 % (1 of 5)</title>
      </rect>
      <text x="216" y="43" text-anchor="middle" class="in-bar">20%</text>
      <rect class="bar marginal" x="262" y="30" width="92" height="18" fill="#f4c761">
      <title>zero-shot, 1-5: marginal 20.0 % (1 of 5)</title>
      </rect>
      <text x="308" y="43" text-anchor="middle" class="in-bar">20%</text>
      <rect class="bar shifted" x="354" y="30" width="276" height="18" fill="#e0564b">
      <title>zero-shot, 1-5: shifted 60.0 % (3 of 5)</title>
      </rect>
      <text x="492" y="43" text-anchor="middle" class="in-bar">60%</text>
      <text x="162" y="67" text-anchor="end">chosen, 1-5 (5)</text>
      <rect class="bar unshifted" x="170" y="54" width="460" height="18" fill="#d9e7d2">
      <title>chosen, 1-5: unshifted 100.0 % (5 of 5)</title>
      </rect>
      <text x="400" y="67" text-anchor="middle" class="in-bar">100%</text>
      <text x="162" y="91" text-anchor="end">zero-shot, 6-20 (5)</text>
      <rect class="bar unshifted" x="170" y="78" width="276" height="18" fill="#d9e7d2">
      <title>zero-shot, 6-20: unshifted 60.0 % (3 of 5)</title>
      </rect>
      <text x="308" y="91" text-anchor="middle" class="in-bar">60%</text>
      <rect class="bar marginal" x="446" y="78" width="92" height="18" fill="#f4c761">
      <title>zero-shot, 6-20: marginal 20.0 % (1 of 5)</title>
      </rect>
      <text x="492" y="91" text-anchor="middle" class="in-bar">20%</text>
      <rect class="bar shifted" x="538" y="78" width="92" height="18" fill="#e0564b">
      <title>zero-shot, 6-20: shifted 20.0 % (1 of 5)</title>
      </rect>
      <text x="584" y="91" text-anchor="middle" class="in-bar">20%</text>
      <text x="162" y="115" text-anchor="end">chosen, 6-20 (5)</text>
      <rect class="bar unshifted" x="170" y="102" width="368" height="18" fill="#d9e7d2">
      <title>chosen, 6-20: unshifted 80.0 % (4 of 5)</title>
      </rect>
      <text x="354" y="115" text-anchor="middle" class="in-bar">80%</text>
      <rect class="bar marginal" x="538" y="102" width="92" height="18" fill="#f4c761">
      <title>chosen, 6-20: marginal 20.0 % (1 of 5)</title>
      </rect>
      <text x="584" y="115" text-anchor="middle" class="in-bar">20%</text>
      </svg>"
    `);
  });
});
