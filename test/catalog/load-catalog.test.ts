import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { exemplarExchanges, hashExemplarSet, type ExemplarSet } from "../../src/catalog/catalog.js";
import { CatalogError, formatProblem, inspectCatalog, loadCatalog } from "../../src/catalog/load-catalog.js";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

const tinyPrompt = { name: "tiny", version: "1", description: "d", text: "You answer." };
const validSet = {
  name: "good",
  version: "1",
  description: "d",
  systemPrompt: "tiny",
  exemplars: [{ id: "a", query: "q", answer: "a" }],
};

const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes a catalog into a fresh temp dir: file name → content (objects as JSON, strings as is). */
async function writeCatalog(exemplars: Record<string, unknown>, prompts: Record<string, unknown> = { "tiny.json": tinyPrompt }) {
  const root = await mkdtemp(join(tmpdir(), "urial-catalog-"));
  tempDirs.push(root);
  const exemplarsDir = join(root, "exemplars");
  const systemPromptsDir = join(root, "system-prompts");
  await mkdir(exemplarsDir);
  await mkdir(systemPromptsDir);
  for (const [dir, files] of [
    [exemplarsDir, exemplars],
    [systemPromptsDir, prompts],
  ] as const) {
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
    }
  }
  return { exemplarsDir, systemPromptsDir };
}

/** Loads a catalog that must fail and returns the CatalogError's message. */
async function catalogErrorOf(location: Promise<{ exemplarsDir: string; systemPromptsDir: string }>, defaultSet = "good"): Promise<string> {
  const error: unknown = await loadCatalog({ ...(await location), defaultSet }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CatalogError);
  return (error as CatalogError).message;
}

describe("loadCatalog with the test fixtures", () => {
  const location = { exemplarsDir: join(fixtures, "exemplars"), systemPromptsDir: join(fixtures, "system-prompts") };

  it("loads both sets and joins each with its system prompt", async () => {
    const catalog = await loadCatalog({ ...location, defaultSet: "tiny" });
    expect([...catalog.sets.keys()]).toEqual(["tiny-two", "tiny"]);
    expect(catalog.defaultSet.name).toBe("tiny");
    expect(catalog.defaultSet.template).toBe("urial");
    const tiny = catalog.sets.get("tiny")!;
    expect(tiny.systemPromptName).toBe("tiny");
    expect(tiny.systemPrompt).toBe("# Instruction\n\nA kind helper answers each question with a short story.");
    expect(tiny.version).toBe("1.0.0");
    expect(tiny.file).toBe(join(location.exemplarsDir, "tiny.json"));
  });

  it("joins an answer given as lines with newlines", async () => {
    const catalog = await loadCatalog({ ...location, defaultSet: "tiny" });
    expect(catalog.defaultSet.exemplars).toEqual([
      {
        id: "cat",
        query: "Tell me about a cat.",
        answer: "Sure! Once upon a time, there was a cat named Tom.\n\n1. Tom liked to play.\n2. Tom was happy.\n\nThe end.",
      },
    ]);
  });

  it("keeps the exemplars of a set in file order", async () => {
    const catalog = await loadCatalog({ ...location, defaultSet: "tiny-two" });
    expect(catalog.defaultSet.exemplars.map((exemplar) => exemplar.id)).toEqual(["dog", "sun"]);
  });

  it("gives each set a 16-hex-digit hash of its content", async () => {
    const catalog = await loadCatalog({ ...location, defaultSet: "tiny" });
    const tiny = catalog.sets.get("tiny")!;
    const two = catalog.sets.get("tiny-two")!;
    expect(tiny.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(tiny.hash).not.toBe(two.hash);
    expect(tiny.hash).toBe(hashExemplarSet(tiny));
  });
});

describe("loadCatalog with the shipped files", () => {
  it("serves 'urial-help' with three exemplars and the default system prompt", async () => {
    const catalog = await loadCatalog({
      exemplarsDir: join(packageRoot, "exemplars"),
      systemPromptsDir: join(packageRoot, "system-prompts"),
      defaultSet: "urial-help",
    });
    expect(catalog.defaultSet.name).toBe("urial-help");
    expect(catalog.defaultSet.exemplars).toHaveLength(3);
    expect(catalog.defaultSet.systemPromptName).toBe("urial-default");
    expect(catalog.defaultSet.systemPrompt.startsWith("# Instruction\n\n")).toBe(true);
    for (const exemplar of catalog.defaultSet.exemplars) {
      expect(exemplar.query.trim().length).toBeGreaterThan(0);
      expect(exemplar.answer.trim().length).toBeGreaterThan(0);
    }
  });
});

describe("hashExemplarSet", () => {
  const set: Omit<ExemplarSet, "hash" | "file"> = {
    name: "s",
    version: "1",
    description: "first description",
    template: "urial",
    systemPromptName: "p",
    systemPrompt: "System.",
    exemplars: [
      { id: "a", query: "q1", answer: "a1" },
      { id: "b", query: "q2", answer: "a2" },
    ],
  };

  it("is stable for the same content", () => {
    expect(hashExemplarSet(set)).toBe(hashExemplarSet(structuredClone(set)));
  });

  it("changes when an answer changes", () => {
    const changed = { ...set, exemplars: [set.exemplars[0]!, { id: "b", query: "q2", answer: "a2!" }] };
    expect(hashExemplarSet(changed)).not.toBe(hashExemplarSet(set));
  });

  it("changes with the version, the template, the system prompt, a query, thoughts, a follow-up and the exemplar order", () => {
    const base = hashExemplarSet(set);
    expect(hashExemplarSet({ ...set, template: "principles" })).not.toBe(base);
    expect(hashExemplarSet({ ...set, exemplars: [{ ...set.exemplars[0]!, thoughts: "t" }, set.exemplars[1]!] })).not.toBe(base);
    expect(hashExemplarSet({ ...set, exemplars: [{ ...set.exemplars[0]!, followUps: [{ query: "f", answer: "g" }] }, set.exemplars[1]!] })).not.toBe(base);
    expect(hashExemplarSet({ ...set, version: "2" })).not.toBe(base);
    expect(hashExemplarSet({ ...set, systemPrompt: "System!" })).not.toBe(base);
    expect(hashExemplarSet({ ...set, exemplars: [{ id: "a", query: "q1?", answer: "a1" }, set.exemplars[1]!] })).not.toBe(base);
    expect(hashExemplarSet({ ...set, exemplars: [set.exemplars[1]!, set.exemplars[0]!] })).not.toBe(base);
  });

  it("ignores the description, which does not change the prompt", () => {
    expect(hashExemplarSet({ ...set, description: "other words" })).toBe(hashExemplarSet(set));
  });

  it("cannot be fooled by moving text between query and answer", () => {
    const shifted = { ...set, exemplars: [{ id: "a", query: "q1a", answer: "1" }, set.exemplars[1]!] };
    const original = { ...set, exemplars: [{ id: "a", query: "q1", answer: "a1" }, set.exemplars[1]!] };
    expect(hashExemplarSet(shifted)).not.toBe(hashExemplarSet(original));
  });
});

describe("exemplarExchanges", () => {
  it("expands multi-turn exemplars in order, keeping thoughts", () => {
    const exchanges = exemplarExchanges({
      exemplars: [
        { id: "a", query: "q1", answer: "a1", followUps: [{ query: "q1b", answer: "a1b", thoughts: "t1b" }] },
        { id: "b", query: "q2", answer: "a2", thoughts: "t2" },
      ],
    });
    expect(exchanges).toEqual([
      { query: "q1", answer: "a1", thoughts: undefined },
      { query: "q1b", answer: "a1b", thoughts: "t1b" },
      { query: "q2", answer: "a2", thoughts: "t2" },
    ]);
  });
});

describe("loadCatalog with bad files", () => {
  it("loads a valid temp catalog (the baseline for the cases below)", async () => {
    const catalog = await loadCatalog({ ...(await writeCatalog({ "good.json": validSet })), defaultSet: "good" });
    expect(catalog.defaultSet.exemplars).toEqual([{ id: "a", query: "q", answer: "a" }]);
  });

  it("names the file and the field of an empty answer", async () => {
    const bad = { ...validSet, exemplars: [{ id: "a", query: "q", answer: "  " }] };
    const message = await catalogErrorOf(writeCatalog({ "good.json": bad }));
    expect(message).toMatch(/good\.json: exemplars\.0\.answer: must not be empty$/);
  });

  it("names the file and the field of a missing answer", async () => {
    const bad = { ...validSet, exemplars: [validSet.exemplars[0], { id: "b", query: "q" }] };
    const message = await catalogErrorOf(writeCatalog({ "good.json": bad }));
    expect(message).toContain("good.json: exemplars.1.answer: ");
  });

  it("names an unknown field", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": { ...validSet, extra: true } }));
    expect(message).toContain("good.json: ");
    expect(message).toContain("extra");
  });

  it("names a bad field of a system prompt file", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": validSet }, { "tiny.json": { ...tinyPrompt, text: [] } }));
    expect(message).toMatch(/tiny\.json: text: must not be empty$/);
  });

  it("reports a reference to a missing system prompt", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": { ...validSet, systemPrompt: "nowhere" } }));
    expect(message).toContain("good.json: systemPrompt: no system prompt named 'nowhere' in ");
  });

  it("reports a name that does not match the file name", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": { ...validSet, name: "other" } }));
    expect(message).toMatch(/good\.json: name: is 'other' but must equal the file name 'good'$/);
  });

  it("reports a system prompt whose name does not match its file name", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": validSet }, { "tiny.json": { ...tinyPrompt, name: "small" } }));
    expect(message).toContain("tiny.json: name: is 'small' but must equal the file name 'tiny'");
  });

  it("reports duplicate exemplar ids, naming the second", async () => {
    const bad = {
      ...validSet,
      exemplars: [
        { id: "a", query: "q", answer: "a" },
        { id: "b", query: "q", answer: "a" },
        { id: "a", query: "q2", answer: "a2" },
      ],
    };
    const message = await catalogErrorOf(writeCatalog({ "good.json": bad }));
    expect(message).toMatch(/good\.json: exemplars\.2\.id: duplicate exemplar id 'a'$/);
  });

  it("reports invalid JSON, naming the file", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": '{ "name": "good", ' }));
    expect(message).toMatch(/good\.json: \(file\): not valid JSON \(/);
  });

  it("reports an unknown default set, listing the sets found", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": validSet }), "missing");
    expect(message).toMatch(/^no exemplar set named 'missing' in .*exemplars \(found: good\)$/);
  });

  it("reports a directory that cannot be read", async () => {
    const error = await loadCatalog({ exemplarsDir: "/nonexistent/exemplars", systemPromptsDir: "/nonexistent/prompts", defaultSet: "x" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toBe("/nonexistent/prompts: cannot read the directory (ENOENT)");
  });

  it("loads a principles set whose turns all have thoughts", async () => {
    const principles = {
      ...validSet,
      template: "principles",
      exemplars: [{ id: "a", query: "q", answer: "a", thoughts: "t", followUps: [{ query: "q2", answer: ["a2", "more"], thoughts: "t2" }] }],
    };
    const catalog = await loadCatalog({ ...(await writeCatalog({ "good.json": principles })), defaultSet: "good" });
    expect(catalog.defaultSet.template).toBe("principles");
    expect(exemplarExchanges(catalog.defaultSet)).toEqual([
      { query: "q", answer: "a", thoughts: "t" },
      { query: "q2", answer: "a2\nmore", thoughts: "t2" },
    ]);
  });

  it("requires thoughts on every turn of a principles set, naming the turn", async () => {
    const principles = {
      ...validSet,
      template: "principles",
      exemplars: [{ id: "a", query: "q", answer: "a", thoughts: "t", followUps: [{ query: "q2", answer: "a2" }] }],
    };
    const message = await catalogErrorOf(writeCatalog({ "good.json": principles }));
    expect(message).toMatch(/good\.json: exemplars\.0\.followUps\.0\.thoughts: is required by the principles template$/);
  });

  it("rejects thoughts in a urial set", async () => {
    const bad = { ...validSet, exemplars: [{ id: "a", query: "q", answer: "a", thoughts: "t" }] };
    const message = await catalogErrorOf(writeCatalog({ "good.json": bad }));
    expect(message).toContain("good.json: exemplars.0.thoughts: is only used by the principles template");
  });

  it("rejects an unknown template", async () => {
    const message = await catalogErrorOf(writeCatalog({ "good.json": { ...validSet, template: "chatml" } }));
    expect(message).toMatch(/good\.json: template: must be urial or principles$/);
  });

  it("ignores files that are not .json", async () => {
    const catalog = await loadCatalog({ ...(await writeCatalog({ "good.json": validSet, "README.md": "# notes" })), defaultSet: "good" });
    expect([...catalog.sets.keys()]).toEqual(["good"]);
  });
});

describe("inspectCatalog", () => {
  it("collects every problem of every file and keeps the good sets", async () => {
    const location = await writeCatalog({
      "good.json": validSet,
      "broken.json": "not json",
      "empty.json": { ...validSet, name: "empty", version: "", exemplars: [{ id: "a", query: "", answer: "a" }] },
      "orphan.json": { ...validSet, name: "orphan", systemPrompt: "missing" },
    });
    const inspection = await inspectCatalog(location);
    expect([...inspection.sets.keys()]).toEqual(["good"]);
    expect([...inspection.systemPrompts.keys()]).toEqual(["tiny"]);
    const problems = inspection.problems.map((problem) => [problem.file.slice(location.exemplarsDir.length + 1), problem.field]);
    expect(problems).toEqual([
      ["broken.json", "(file)"],
      ["empty.json", "version"],
      ["empty.json", "exemplars.0.query"],
      ["orphan.json", "systemPrompt"],
    ]);
  });

  it("formats a problem as file:field: message", () => {
    expect(formatProblem({ file: "exemplars/x.json", field: "exemplars.0.answer", message: "must not be empty" })).toBe("exemplars/x.json:exemplars.0.answer: must not be empty");
  });
});
