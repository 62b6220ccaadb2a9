/**
 * The experiments file: defaults, and every problem named by file and field.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExperimentError } from "../../src/ab/online/experiment-error.js";
import { checkExperimentsAgainstCatalog, loadExperiments, parseExperiments } from "../../src/ab/online/load-experiments.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
let catalog: Catalog;
let dir = "";
beforeAll(async () => {
  catalog = await loadCatalog({ exemplarsDir: fixtures("exemplars"), systemPromptsDir: fixtures("system-prompts"), defaultSet: "tiny" });
  dir = await mkdtemp(join(tmpdir(), "urial-experiments-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function problem(json: unknown): string {
  try {
    parseExperiments(typeof json === "string" ? json : JSON.stringify(json), "exp.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ExperimentError);
    return (error as Error).message;
  }
  throw new Error("no problem found");
}

const two = [
  { name: "a", exemplars: "tiny" },
  { name: "b", exemplars: "tiny-two", weight: 3, sampling: { temperature: 0.2, max_tokens: 64 } },
];

describe("parseExperiments", () => {
  it("fills in the defaults: model urial/ab/<id>, sticky by user, salt = id, weight 1", () => {
    expect(parseExperiments(JSON.stringify({ experiments: [{ id: "help-vs-two", variants: two }] }), "exp.json")).toEqual([
      {
        id: "help-vs-two",
        model: "urial/ab/help-vs-two",
        sticky: ["user"],
        salt: "help-vs-two",
        variants: [
          { name: "a", exemplars: "tiny", weight: 1 },
          { name: "b", exemplars: "tiny-two", weight: 3, sampling: { temperature: 0.2, max_tokens: 64 } },
        ],
      },
    ]);
  });

  it("takes a model id, a list of sticky sources and a salt", () => {
    const [config] = parseExperiments(JSON.stringify({ experiments: [{ id: "e", model: "urial", sticky: ["header:x-session-id", "user"], salt: "2024-q3", variants: two }] }), "exp.json");
    expect(config).toMatchObject({ model: "urial", sticky: ["header:x-session-id", "user"], salt: "2024-q3" });
  });

  it("names the file and the field of each problem", () => {
    expect(problem("{")).toMatch(/^exp\.json: not valid JSON \(/);
    expect(problem({})).toBe("exp.json: experiments: Invalid input: expected array, received undefined");
    expect(problem({ experiments: [] })).toBe("exp.json: experiments: must list at least one experiment");
    expect(problem({ experiments: [{ id: "e", variants: [two[0]] }] })).toBe("exp.json: experiments.0.variants: must list at least two variants");
    expect(problem({ experiments: [{ id: "e", variants: [two[0], { ...two[0] }] }] })).toBe("exp.json: experiments.0.variants.1.name: duplicate variant name 'a'");
    expect(problem({ experiments: [{ id: "e", variants: [{ ...two[0], weight: -1 }, two[1]] }] })).toBe("exp.json: experiments.0.variants.0.weight: must be at least 0");
    expect(
      problem({
        experiments: [
          {
            id: "e",
            variants: [
              { ...two[0], weight: 0 },
              { ...two[1], weight: 0 },
            ],
          },
        ],
      }),
    ).toBe("exp.json: experiments.0.variants: at least one variant needs a weight above 0");
    expect(problem({ experiments: [{ id: "e", sticky: "cookie", variants: two }] })).toBe("exp.json: experiments.0.sticky: must be user, random or header:<name>");
    expect(problem({ experiments: [{ id: "e", model: "base", variants: two }] })).toBe("exp.json: experiments.0.model: cannot be 'base' (raw completions have no exemplar set to vary)");
    expect(problem({ experiments: [{ id: "e", variants: [{ ...two[0], sampling: { temperature: 9 } }, two[1]] }] })).toBe("exp.json: experiments.0.variants.0.sampling.temperature: must be at most 2");
    expect(problem({ experiments: [{ id: "e", variants: [{ ...two[0], sampling: { tools: [] } }, two[1]] }] })).toMatch(/^exp\.json: experiments\.0\.variants\.0\.sampling: Unrecognized key: "tools"/);
    expect(
      problem({
        experiments: [
          { id: "e", variants: two },
          { id: "e", model: "x", variants: two },
        ],
      }),
    ).toBe("exp.json: experiments.1.id: duplicate experiment id 'e'");
    expect(
      problem({
        experiments: [
          { id: "e", model: "m", variants: two },
          { id: "f", model: "m", variants: two },
        ],
      }),
    ).toBe("exp.json: experiments.1.model: model id 'm' is already used by another experiment");
  });
});

describe("loadExperiments and the catalog check", () => {
  it("reads a file, and names a file it cannot read", async () => {
    const file = join(dir, "ok.json");
    await writeFile(file, JSON.stringify({ experiments: [{ id: "e", variants: two }] }));
    expect(await loadExperiments(file)).toHaveLength(1);
    await expect(loadExperiments(join(dir, "absent.json"))).rejects.toThrow(`${join(dir, "absent.json")}: cannot read it (ENOENT)`);
  });

  it("refuses a variant whose set or system prompt the catalog lacks", () => {
    const good = parseExperiments(JSON.stringify({ experiments: [{ id: "e", variants: [two[0], { ...two[1], systemPrompt: "tiny" }] }] }), "exp.json");
    expect(() => checkExperimentsAgainstCatalog(good, catalog, "exp.json")).not.toThrow();
    const noSet = parseExperiments(JSON.stringify({ experiments: [{ id: "e", variants: [two[0], { ...two[1], exemplars: "nope" }] }] }), "exp.json");
    expect(() => checkExperimentsAgainstCatalog(noSet, catalog, "exp.json")).toThrow("exp.json: experiments.0.variants.1.exemplars: no exemplar set named 'nope' (found: tiny-two, tiny)");
    const noPrompt = parseExperiments(JSON.stringify({ experiments: [{ id: "e", variants: [two[0], { ...two[1], systemPrompt: "absent" }] }] }), "exp.json");
    expect(() => checkExperimentsAgainstCatalog(noPrompt, catalog, "exp.json")).toThrow("exp.json: experiments.0.variants.1.systemPrompt: no system prompt named 'absent' (found: tiny)");
  });
});
