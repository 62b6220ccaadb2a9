import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/shift/render-report-html.js";
import { browserSuiteTitle, chromiumExists, launchChromium, openReportHtml } from "./support/chromium.js";
import { hostileText, sampleReport } from "./support/sample-report.js";

describe.skipIf(!chromiumExists)(browserSuiteTitle("report.html in headless Chromium"), () => {
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let requests: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    ({ page, problems, requests } = await openReportHtml(browser, renderReportHtml(sampleReport())));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("renders the summary line, the three charts and every answer token", async () => {
    await expect(page.title()).resolves.toBe("Token distribution shift: base <model> → chat & co");
    expect(await page.locator("#summary").textContent()).toMatch(/^2 prompts, 11 answer tokens .* closure/);
    expect(await page.locator("svg.chart").count()).toBe(3);
    expect(await page.locator("svg.split-chart rect.bar").count()).toBeGreaterThan(4);
    expect(await page.locator(".column[data-context=zeroShot] .t").count()).toBe(11);
    expect(await page.locator(".column[data-context=urial] .t").count()).toBe(11);
    expect(await page.locator("#prompt-0 .column[data-context=zeroShot] .t.shifted").count()).toBe(3);
    expect(await page.locator("table.shifted-tokens").count()).toBe(2);
  });

  it("shows model text as text: the hostile token and query create no element and run nothing", async () => {
    expect(await page.locator("#prompt-0 .query").textContent()).toContain(hostileText.trim());
    expect(await page.locator("#prompt-0 .column[data-context=zeroShot] .t").nth(3).textContent()).toBe(hostileText);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("shows nothing until a token is clicked, then the three top-k tables for that position", async () => {
    await page.mouse.move(0, 0);
    const panel = page.locator("#details");
    const token = page.locator("#prompt-0 .column[data-context=urial] .t").nth(3);
    await token.click();
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.locator("h3").textContent()).toContain('Position 4 of "first"');
    const tables = panel.locator("table");
    expect(await tables.count()).toBe(3);
    expect(await tables.nth(0).locator("caption").textContent()).toMatch(/^Chat model: η = 1/);
    expect(await tables.nth(1).locator("caption").textContent()).toMatch(/^Base, zero-shot: η = 5, .* KL = 2\.000 nats, shifted$/);
    expect(await tables.nth(2).locator("caption").textContent()).toMatch(/^Base, URIAL: η = 9, .* KL = 3\.000 nats, shifted$/);
    // Chat top-3: the answer token first (highlighted), then the hostile alternative, shown as text.
    expect(await tables.nth(0).locator("tr").count()).toBe(4);
    expect(await tables.nth(0).locator("tr.answer td").nth(1).textContent()).toBe(JSON.stringify(hostileText));
    expect(await tables.nth(0).locator("tr").nth(2).locator("td").nth(1).textContent()).toBe(JSON.stringify(hostileText));
    expect(await tables.nth(1).locator("tr").nth(1).locator("td").nth(3).textContent()).toBe("10.00 %");
    // The same position is marked in both columns.
    expect(await page.locator('.t.selected[data-p="0"][data-i="3"]').count()).toBe(2);
  });

  it("follows the pointer when nothing is pinned, and Escape closes the panel", async () => {
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#details").isVisible()).toBe(false);
    await page.locator("#prompt-1 .column[data-context=zeroShot] .t").nth(1).hover();
    await expect.poll(() => page.locator("#details").isVisible()).toBe(true);
    expect(await page.locator("#details h3").textContent()).toContain('Position 2 of "second"');
  });

  it("logged no console error or warning and made no network request", () => {
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file:"))).toEqual([]);
  });
});
