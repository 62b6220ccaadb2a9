/**
 * @module report-page/page-head
 * The start of every self-contained report page (shift, A/B): no network
 * (a Content-Security-Policy that allows only inline style and script), the
 * title escaped, and the page's own stylesheet inline.
 */
import { escapeHtml } from "./escape-html.js";

export function pageHead(title: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>`;
}
