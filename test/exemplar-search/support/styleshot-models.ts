/**
 * @module test/exemplar-search/support/styleshot-models
 * The styleshot pair (a base that learns answer style in context, and its
 * chat twin that always answers in URIAL style; see shared/models/README.md).
 * Suites that need them are skipped, with the reason in their title and a
 * warning, when a file is absent.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const fromRepository = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** `URIAL_TEST_STYLESHOT_BASE`, else `../shared/models/styleshot-base.gguf`. */
export const styleshotBasePath = process.env.URIAL_TEST_STYLESHOT_BASE ? resolve(process.env.URIAL_TEST_STYLESHOT_BASE) : fromRepository("../shared/models/styleshot-base.gguf");
/** `URIAL_TEST_STYLESHOT_CHAT`, else `../shared/models/styleshot-chat.gguf`. */
export const styleshotChatPath = process.env.URIAL_TEST_STYLESHOT_CHAT ? resolve(process.env.URIAL_TEST_STYLESHOT_CHAT) : fromRepository("../shared/models/styleshot-chat.gguf");

export const styleshotExists = existsSync(styleshotBasePath) && existsSync(styleshotChatPath);

/** A suite title that says why it did not run. */
export function styleshotSuiteTitle(title: string): string {
  if (styleshotExists) return title;
  const missing = existsSync(styleshotBasePath) ? styleshotChatPath : styleshotBasePath;
  console.warn(`[skipped] ${title}: no styleshot model at ${missing} (set URIAL_TEST_STYLESHOT_BASE / URIAL_TEST_STYLESHOT_CHAT)`);
  return `${title} — SKIPPED: no styleshot model at ${missing}`;
}
