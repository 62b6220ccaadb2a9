/**
 * What `urial serve --experiments FILE` does before it serves: check the
 * file against the catalog, open the outcome log, read earlier outcomes
 * back into the statistics, and say so (warning when --parallel is too
 * small to keep every variant warm).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestOutcome } from "../../src/ab/online/outcome-entry.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { startExperiments } from "../../src/cli/start-experiments.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
let dir = "";
let catalog: Catalog;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "urial-start-experiments-"));
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => join(dir, name);
const experiment = {
  experiments: [
    {
      id: "e",
      variants: [
        { name: "one", exemplars: "tiny" },
        { name: "two", exemplars: "tiny-two" },
        { name: "three", exemplars: "tiny", weight: 0 },
      ],
    },
  ],
};

describe("startExperiments", () => {
  it("reads earlier outcomes back and reports the experiments, warning about too few sequences", async () => {
    await writeFile(file("exp.json"), JSON.stringify(experiment));
    const notices: string[] = [];
    const log = { path: file("logs/outcomes.jsonl"), maxBytes: 10_000, keep: 2, text: false };
    const first = await startExperiments({ file: file("exp.json"), catalog, log, parallel: 2, notice: (message) => notices.push(message) });
    expect(notices[0]).toBe("experiment 'e' on model 'urial/ab/e': one=tiny (weight 1), two=tiny-two (weight 1), three=tiny (weight 0); sticky by user");
    expect(notices[1]).toMatch(/^note: experiment 'e' has 3 variants but --parallel is 2/);
    expect(notices[2]).toBe(`experiment outcomes go to ${log.path}; 0 earlier requests and 0 votes read back`);

    // A request and a vote, as the server would log them.
    const hash = first.currentHashes(catalog)("e", "two")!;
    const outcome: RequestOutcome = {
      type: "request",
      time: new Date().toISOString(),
      request_id: "req_1",
      experiment: "e",
      variant: "two",
      variant_hash: hash,
      assigned_by: "user",
      model: "urial/ab/e",
      exemplar_set: "tiny-two@1.0.0",
      prompt_hash: "0",
      status: 200,
      stream: false,
      prompt_tokens: 10,
      completion_tokens: 5,
      cached_tokens: 2,
      answer_chars: 20,
      ttft_ms: 3,
      latency_ms: 9,
      finish_reason: "stop",
      cut: null,
      choices: 1,
      error: null,
    };
    await writeFile(log.path, `${JSON.stringify(outcome)}\n${JSON.stringify({ ...outcome, request_id: "req_2", variant_hash: "stale" })}\nnot json\n`);
    notices.length = 0;
    const second = await startExperiments({ file: file("exp.json"), catalog, log, parallel: 3, notice: (message) => notices.push(message) });
    expect(notices).toHaveLength(2);
    expect(notices[1]).toBe(`experiment outcomes go to ${log.path}; 1 earlier requests and 0 votes read back, 2 lines skipped (other variants or unreadable)`);
    expect(second.stats("e", catalog)!.variants.find((variant) => variant.name === "two")).toMatchObject({ requests: 1, variant_hash: hash });
    expect(second.feedback({ request_id: "req_1", rating: 1 })).toMatchObject({ experiment: "e", variant: "two", rating: 1 });
  });

  it("stops with the file and the field when the file names a set the catalog lacks", async () => {
    await writeFile(
      file("bad.json"),
      JSON.stringify({
        experiments: [
          {
            id: "e",
            variants: [
              { name: "one", exemplars: "tiny" },
              { name: "two", exemplars: "absent" },
            ],
          },
        ],
      }),
    );
    await expect(startExperiments({ file: file("bad.json"), catalog, log: { path: file("x.jsonl"), maxBytes: 100, keep: 0, text: false }, parallel: 2, notice: () => undefined })).rejects.toThrow(
      `${file("bad.json")}: experiments.0.variants.1.exemplars: no exemplar set named 'absent' (found: tiny-two, tiny)`,
    );
  });
});
