import { describe, expect, it } from "vitest";
import { formatBytes } from "../../src/models/format-bytes.js";
import { formatModelsTable, formatParameterCount } from "../../src/models/format-models-table.js";
import type { CachedModel } from "../../src/models/list-cached-models.js";

const summary = { architecture: "llama", name: "m", parameters: 134_515_008, contextLength: 8192, hasChatTemplate: false, requiredBytes: 1 };

function model(overrides: Partial<CachedModel>): CachedModel {
  return { name: "m.gguf", path: "/m/m.gguf", size: 101_016_128, source: undefined, sha256: undefined, summary: { ok: true, value: summary }, ...overrides };
}

describe("formatParameterCount / formatBytes", () => {
  it("rounds to people's units", () => {
    expect([292_800, 134_515_008, 7_241_732_096, 999, 1_500_000].map(formatParameterCount)).toEqual(["293K", "135M", "7.2B", "999", "1.5M"]);
    expect([512, 1_185_376, 101_016_128, 4.5 * 1024 ** 3].map(formatBytes)).toEqual(["512 B", "1.1 MiB", "96.3 MiB", "4.5 GiB"]);
  });
});

describe("formatModelsTable", () => {
  it("shows one aligned row per model, base or chat from the chat template, and partial downloads", () => {
    const text = formatModelsTable(
      {
        models: [
          model({ name: "hf_ggml-org_SmolLM2-135M-Q4_K_M.gguf", source: "hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf" }),
          model({ name: "chat.gguf", size: 1_185_792, summary: { ok: true, value: { ...summary, parameters: 292_800, contextLength: 2048, hasChatTemplate: true } } }),
          model({ name: "broken.gguf", size: 10, summary: { ok: false, problem: "not a GGUF" } }),
        ],
        partials: [{ name: "big.gguf.ipull", size: 5 * 1024 * 1024 }],
      },
      "/models",
    );
    expect(text).toMatchInlineSnapshot(`
      "NAME                                  SIZE      ARCH   PARAMS  CONTEXT  KIND        SOURCE
      hf_ggml-org_SmolLM2-135M-Q4_K_M.gguf  96.3 MiB  llama  135M    8192     base        hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf
      chat.gguf                             1.1 MiB   llama  293K    2048     chat        -
      broken.gguf                           10 B      ?      ?       ?        unreadable  - (not a GGUF)
      partial download: big.gguf.ipull (5.0 MiB); the same 'urial pull' resumes it, 'urial models rm big.gguf' deletes it
      "
    `);
  });

  it("says how to fetch a model when the cache is empty", () => {
    expect(formatModelsTable({ models: [], partials: [] }, "/models")).toBe("No models in /models. Fetch one with 'urial pull hf:<user>/<repo>/<file>.gguf' (or an https URL).\n");
  });
});
