/**
 * Vitest setup: every test process keeps its caches (prefix states, pulled
 * models, experiment logs) in a temporary folder, never in the user's own
 * ~/.cache/urial. Child processes that tests spawn inherit it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), "urial-test-cache-"));
