/**
 * @module test/shift/support/chromium
 * Headless Debian Chromium for the report tests, driven by playwright-core
 * (which ships no browser). Suites are skipped, with the reason in their
 * title, when /usr/bin/chromium is absent (install: apt-get install chromium).
 * `openReportHtml` opens a self-contained report page and watches it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.URIAL_TEST_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumExists = existsSync(chromiumPath);

/** A suite title that says why it did not run. */
export function browserSuiteTitle(title: string): string {
  if (chromiumExists) return title;
  console.warn(`[skipped] ${title}: no Chromium at ${chromiumPath} (apt-get install chromium, or set URIAL_TEST_CHROMIUM)`);
  return `${title} — SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium)`;
}

/** Launches headless Chromium with nothing that reaches out to the network by itself. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A report page, and what it did that a self-contained page must not: console errors and warnings, uncaught errors, requests. */
export interface WatchedPage {
  page: Page;
  problems: string[];
  /** Every URL the page requested, its own file included. */
  requests: string[];
}

/** Writes `html` to report.html in a new temporary folder and opens it in a 1280×900 page of `browser`, watched from before it loads. */
export async function openReportHtml(browser: Browser, html: string): Promise<WatchedPage> {
  const file = join(await mkdtemp(join(tmpdir(), "urial-report-")), "report.html");
  await writeFile(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  return { page, problems, requests };
}
