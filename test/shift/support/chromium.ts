/**
 * @module test/shift/support/chromium
 * Headless Debian Chromium for the report tests, driven by playwright-core
 * (which ships no browser). Suites are skipped, with the reason in their
 * title, when /usr/bin/chromium is absent (install: apt-get install chromium).
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
