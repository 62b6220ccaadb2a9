/**
 * `inspectCatalog` (what `urial exemplars lint` reads): every file is checked
 * and every problem collected, across both folders, with `file:field: message`
 * lines; the good sets are still returned. Bad files are written to a fresh
 * temp dir per test.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogError, formatProblem, inspectCatalog } from "../../src/catalog/load-catalog.js";

const prompt = (name: string) => ({ name, version: "1", description: "d", text: ["You answer.", "Kindly."] });
const set = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: "1",
  description: "d",
  systemPrompt: "p",
  exemplars: [{ id: "a", query: "q", answer: "a" }],
  ...extra,
});

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function writeCatalog(exemplars: Record<string, unknown>, prompts: Record<string, unknown>) {
  const root = await mkdtemp(join(tmpdir(), "urial-inspect-"));
  roots.push(root);
  const location = { exemplarsDir: join(root, "exemplars"), systemPromptsDir: join(root, "system-prompts") };
  for (const [dir, files] of [
    [location.exemplarsDir, exemplars],
    [location.systemPromptsDir, prompts],
  ] as const) {
    await mkdir(dir);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return location;
}

/** The problems as `file:field: message` lines with the temp root cut off. */
async function lines(location: { exemplarsDir: string; systemPromptsDir: string }): Promise<string[]> {
  const root = join(location.exemplarsDir, "..");
  return (await inspectCatalog(location)).problems.map((problem) => formatProblem(problem).slice(root.length + 1));
}

describe("inspectCatalog", () => {
  it("finds no problem in a good catalog and joins each set with its system prompt", async () => {
    const location = await writeCatalog({ "one.json": set("one") }, { "p.json": prompt("p") });
    const inspection = await inspectCatalog(location);
    expect(inspection.problems).toEqual([]);
    const one = inspection.sets.get("one");
    expect(one).toMatchObject({ systemPromptName: "p", systemPrompt: "You answer.\nKindly.", template: "urial", file: join(location.exemplarsDir, "one.json") });
    expect(one?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(inspection.systemPrompts.get("p")).toEqual({ text: "You answer.\nKindly.", file: join(location.systemPromptsDir, "p.json") });
  });

  it("collects every problem of every file in both folders, system prompts first, files in name order", async () => {
    const location = await writeCatalog(
      {
        "b-many.json": { name: "b-many", version: "", description: "", systemPrompt: "p", exemplars: [{ id: "a", query: "", answer: 3 }], extra: true },
        "a-json.json": "{ not json",
        "c-orphan.json": set("c-orphan", { systemPrompt: "gone" }),
        "d-good.json": set("d-good"),
        "notes.txt": "ignored",
      },
      { "p.json": prompt("p"), "q.json": { name: "q", version: "1", description: "d", text: "" }, "r.json": { ...prompt("other"), text: "x" } },
    );
    const found = await lines(location);
    expect(found[2]).toMatch(/^exemplars\/a-json\.json:\(file\): not valid JSON \(.+\)$/);
    expect(found.filter((_, index) => index !== 2)).toEqual([
      "system-prompts/q.json:text: must not be empty",
      "system-prompts/r.json:name: is 'other' but must equal the file name 'r'",
      "exemplars/b-many.json:version: Too small: expected string to have >=1 characters",
      "exemplars/b-many.json:description: Too small: expected string to have >=1 characters",
      "exemplars/b-many.json:exemplars.0.query: must not be empty",
      "exemplars/b-many.json:exemplars.0.answer: must be a string or an array of lines",
      'exemplars/b-many.json:(file): Unrecognized key: "extra"',
      `exemplars/c-orphan.json:systemPrompt: no system prompt named 'gone' in ${location.systemPromptsDir}`,
    ]);
    expect([...(await inspectCatalog(location)).sets.keys()]).toEqual(["d-good"]);
  });

  it("reports a set whose system prompt file is broken as having no system prompt", async () => {
    const location = await writeCatalog({ "one.json": set("one") }, { "p.json": "[]" });
    expect(await lines(location)).toEqual([
      expect.stringMatching(/^system-prompts\/p\.json:\(file\): /),
      `exemplars/one.json:systemPrompt: no system prompt named 'p' in ${location.systemPromptsDir}`,
    ]);
  });

  it("reports a duplicate exemplar id, thoughts outside the principles template and missing thoughts inside it", async () => {
    const location = await writeCatalog(
      {
        "dupes.json": set("dupes", {
          exemplars: [
            { id: "a", query: "q", answer: "a" },
            { id: "a", query: "q2", answer: "a2", thoughts: "t" },
          ],
        }),
        "thinking.json": set("thinking", { template: "principles", exemplars: [{ id: "a", query: "q", answer: "a", followUps: [{ query: "f", answer: "g" }] }] }),
      },
      { "p.json": prompt("p") },
    );
    expect(await lines(location)).toEqual([
      "exemplars/dupes.json:exemplars.1.id: duplicate exemplar id 'a'",
      'exemplars/dupes.json:exemplars.1.thoughts: is only used by the principles template (set "template": "principles")',
      "exemplars/thinking.json:exemplars.0.thoughts: is required by the principles template",
      "exemplars/thinking.json:exemplars.0.followUps.0.thoughts: is required by the principles template",
    ]);
  });

  it("throws a CatalogError naming a folder that cannot be read", async () => {
    const location = await writeCatalog({}, {});
    const missing = join(location.exemplarsDir, "nope");
    const error = await inspectCatalog({ ...location, exemplarsDir: missing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toBe(`${missing}: cannot read the directory (ENOENT)`);
  });

  it("accepts empty folders with no sets and no problems", async () => {
    const inspection = await inspectCatalog(await writeCatalog({}, {}));
    expect(inspection.sets.size).toBe(0);
    expect(inspection.problems).toEqual([]);
  });
});
