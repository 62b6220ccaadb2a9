/**
 * Vitest global setup: compiles the CLI into dist/ once, before any test
 * file runs, so the tests that spawn `node dist/src/cli/urial.js` test the
 * current sources and never read dist/ while another file rewrites it. A
 * compile error stops the whole run with the compiler's output.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function buildCli(): void {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`the CLI did not compile (tsc -p tsconfig.build.json):\n${build.stdout}${build.stderr}`);
}
