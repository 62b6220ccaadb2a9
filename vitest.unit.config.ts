/**
 * The fast tier (`npm run test:unit`): everything that needs no model file,
 * no spawned `urial` process and no browser — the pure cores, the app over
 * the fake engine, the remote engine over scripted upstreams. The full suite
 * (`npm test`, vitest.config.ts) runs these and the rest.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/** Test files that load a real GGUF, spawn the built CLI or drive Chromium. */
export const slowTierFiles = [
  "test/ab/ab-command.test.ts",
  "test/ab/experiments-real.test.ts",
  "test/ab/summarize-ab.test.ts",
  "test/bench/synthetic-gguf.test.ts",
  "test/cli/**",
  "test/contract/**",
  "test/engine/llama-engine.test.ts",
  "test/engine/prefix-states.test.ts",
  "test/engine/principles-real.test.ts",
  "test/engine/remote/remote-urial-upstream.test.ts",
  "test/engine/scoring-chat-prompt.test.ts",
  "test/engine/teacher-force.test.ts",
  "test/engine/thread-auto.test.ts",
  "test/models/fetch-model.test.ts",
  "test/models/resolve-model.test.ts",
  "test/robustness/**",
  "test/shift/report-browser.test.ts",
  "test/shift/shift-command.test.ts",
  "test/shift/shift-real-models.test.ts",
  "test/shift/shift-route.test.ts",
];

export default mergeConfig(
  { ...base, test: { ...base.test, globalSetup: [] } },
  defineConfig({
    test: {
      exclude: ["**/node_modules/**", "dist/**", ...slowTierFiles],
      pool: "threads",
    },
  }),
);
