import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Real-engine tests load a GGUF per file; keep files in one fork each and
    // never run more of them at once than the 2-core CI machine has cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["./test/support/build-cli.ts"],
    setupFiles: ["./test/support/isolate-cache.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
