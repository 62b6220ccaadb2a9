/**
 * Hot reload of the exemplar library: an edit in a temp copy of
 * test/fixtures shows in the live `catalog` view (new content, new hash); a
 * broken edit keeps the last good catalog and is reported; a fixed edit
 * recovers; the HTTP app serves the new sets to new requests. Most tests call
 * `reload()` and use a long debounce so the file watcher cannot interfere; one
 * relies on the watcher's debounce with a bounded wait.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog, type CatalogLocation } from "../../src/catalog/load-catalog.js";
import { watchCatalog, type CatalogWatcher, type WatchOptions } from "../../src/catalog/watch-catalog.js";
import { createApp } from "../../src/server/app.js";
import { FakeEngine } from "../support/fake-engine.js";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));

type Outcome = Parameters<NonNullable<WatchOptions["onReload"]>>[0];

interface Watched {
  location: CatalogLocation;
  watcher: CatalogWatcher;
  initial: Catalog;
  outcomes: Outcome[];
  setFile: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Copies the fixtures to a temp dir, loads them and starts watching. */
async function watchCopy(debounceMs = 60_000, onReload?: (outcome: Outcome, watcher: CatalogWatcher) => void): Promise<Watched> {
  const root = await mkdtemp(join(tmpdir(), "urial-watch-"));
  await cp(join(fixtures, "exemplars"), join(root, "exemplars"), { recursive: true });
  await cp(join(fixtures, "system-prompts"), join(root, "system-prompts"), { recursive: true });
  const location = { exemplarsDir: join(root, "exemplars"), systemPromptsDir: join(root, "system-prompts"), defaultSet: "tiny" };
  const initial = await loadCatalog(location);
  const outcomes: Outcome[] = [];
  const watcher: CatalogWatcher = watchCatalog(location, initial, {
    debounceMs,
    onReload: (outcome) => {
      outcomes.push(outcome);
      onReload?.(outcome, watcher);
    },
  });
  cleanups.push(async () => {
    watcher.close();
    await rm(root, { recursive: true, force: true });
  });
  return { location, watcher, initial, outcomes, setFile: join(location.exemplarsDir, "tiny.json") };
}

/** Rewrites the tiny set with a changed first answer and version. */
async function editTinySet(file: string, answer: string, version = "1.1.0"): Promise<void> {
  const json = JSON.parse(await readFile(file, "utf8")) as { version: string; exemplars: { answer: unknown }[] };
  json.version = version;
  json.exemplars[0]!.answer = answer;
  await writeFile(file, JSON.stringify(json));
}

/** Polls `condition` every 20 ms for at most `limitMs`. */
async function waitFor(condition: () => boolean, limitMs = 3_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("watchCatalog reload()", () => {
  it("takes an edited set: new content, new version and a new hash, in the same live view", async () => {
    const { watcher, initial, setFile, outcomes } = await watchCopy();
    const view = watcher.catalog;
    const oldHash = initial.sets.get("tiny")!.hash;
    expect(view.sets.get("tiny")!.hash).toBe(oldHash);

    await editTinySet(setFile, "A new answer.");
    expect(await watcher.reload()).toBe(true);

    const tiny = view.sets.get("tiny")!;
    expect(tiny.exemplars[0]!.answer).toBe("A new answer.");
    expect(tiny.version).toBe("1.1.0");
    expect(tiny.hash).not.toBe(oldHash);
    expect(tiny.hash).toMatch(/^[0-9a-f]{16}$/);
    // The default set is the new one too, and the other set is unchanged.
    expect(view.defaultSet.hash).toBe(tiny.hash);
    expect(view.sets.get("tiny-two")!.hash).toBe(initial.sets.get("tiny-two")!.hash);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.ok).toBe(true);
    expect(outcomes[0]!.ok && outcomes[0]!.catalog.sets.get("tiny")!.hash).toBe(tiny.hash);
  });

  it("keeps the last good catalog on a broken edit, reports it, and recovers when the file is fixed", async () => {
    const { watcher, initial, setFile, outcomes } = await watchCopy();
    const good = initial.sets.get("tiny")!;

    await writeFile(setFile, '{ "name": "tiny", ');
    expect(await watcher.reload()).toBe(false);
    expect(watcher.catalog.sets.get("tiny")).toBe(good);
    expect(outcomes).toHaveLength(1);
    const broken = outcomes[0]!;
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error.message.startsWith(`${setFile}: (file): not valid JSON`)).toBe(true);

    const original = JSON.parse(await readFile(join(fixtures, "exemplars", "tiny.json"), "utf8")) as Record<string, unknown>;
    await writeFile(setFile, JSON.stringify({ ...original, exemplars: [{ id: "cat", query: "q", answer: "" }] }));
    expect(await watcher.reload()).toBe(false);
    expect(watcher.catalog.sets.get("tiny")).toBe(good);
    const invalid = outcomes[1]!;
    expect(!invalid.ok && invalid.error.message).toBe(`${setFile}: exemplars.0.answer: must not be empty`);

    await writeFile(setFile, JSON.stringify({ ...original, version: "2.0.0" }));
    expect(await watcher.reload()).toBe(true);
    expect(watcher.catalog.sets.get("tiny")!.version).toBe("2.0.0");
    expect(watcher.catalog.sets.get("tiny")!.hash).not.toBe(good.hash);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, false, true]);
  });

  it("keeps the last good catalog when the default set disappears", async () => {
    const { watcher, initial, setFile, outcomes } = await watchCopy();
    await rm(setFile);
    expect(await watcher.reload()).toBe(false);
    expect(watcher.catalog.defaultSet).toBe(initial.defaultSet);
    expect(!outcomes[0]!.ok && outcomes[0]!.error.message).toContain("no exemplar set named 'tiny'");
  });

  it("gives every set that uses an edited system prompt a new hash", async () => {
    const { watcher, initial, location } = await watchCopy();
    await writeFile(join(location.systemPromptsDir, "tiny.json"), JSON.stringify({ name: "tiny", version: "1.0.0", description: "d", text: "Be brief." }));
    expect(await watcher.reload()).toBe(true);
    for (const name of ["tiny", "tiny-two"]) {
      expect(watcher.catalog.sets.get(name)!.systemPrompt).toBe("Be brief.");
      expect(watcher.catalog.sets.get(name)!.hash).not.toBe(initial.sets.get(name)!.hash);
    }
  });

  it("picks up a new set file", async () => {
    const { watcher, location } = await watchCopy();
    const added = { name: "added", version: "1", description: "d", systemPrompt: "tiny", exemplars: [{ id: "a", query: "q", answer: "a" }] };
    await writeFile(join(location.exemplarsDir, "added.json"), JSON.stringify(added));
    expect(await watcher.reload()).toBe(true);
    expect([...watcher.catalog.sets.keys()].sort()).toEqual(["added", "tiny", "tiny-two"]);
  });

  it("reflects an edit made while another reload is in flight", async () => {
    // onReload runs before its reload has finished: an edit made there is
    // newer than what that reload read, so a reload() asked for then must load
    // again rather than hand back the finishing reload's result.
    let setFile = "";
    let second: Promise<boolean> | undefined;
    const watched = await watchCopy(60_000, (_outcome, self) => {
      if (second !== undefined) return;
      const json = JSON.parse(readFileSync(setFile, "utf8")) as { version: string; exemplars: { answer: string }[] };
      json.version = "3.0.0";
      json.exemplars[0]!.answer = "Edited during a reload.";
      writeFileSync(setFile, JSON.stringify(json));
      second = self.reload();
    });
    setFile = watched.setFile;
    const { watcher } = watched;
    expect(await watcher.reload()).toBe(true);
    expect(second).toBeDefined();
    expect(await second).toBe(true);
    expect(watcher.catalog.sets.get("tiny")!.version).toBe("3.0.0");
    expect(watcher.catalog.sets.get("tiny")!.exemplars[0]!.answer).toBe("Edited during a reload.");
  });

  it("shares one follow-up load among the calls made while a load is in flight", async () => {
    const { watcher, outcomes } = await watchCopy();
    const calls = [watcher.reload(), watcher.reload(), watcher.reload()];
    expect(calls[1]).toBe(calls[2]);
    expect(await Promise.all(calls)).toEqual([true, true, true]);
    expect(outcomes).toHaveLength(2);
  });
});

describe("watchCatalog file watching", () => {
  it("reloads by itself after an edit, once the debounce has passed", async () => {
    const { watcher, initial, setFile, outcomes } = await watchCopy(50);
    const oldHash = initial.sets.get("tiny")!.hash;
    await editTinySet(setFile, "Changed on disk.");
    await waitFor(() => watcher.catalog.sets.get("tiny")!.hash !== oldHash);
    expect(watcher.catalog.sets.get("tiny")!.exemplars[0]!.answer).toBe("Changed on disk.");
    expect(outcomes.at(-1)?.ok).toBe(true);
  });

  it("stops watching after close()", async () => {
    const { watcher, initial, setFile, outcomes } = await watchCopy(20);
    watcher.close();
    await editTinySet(setFile, "Not seen.");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outcomes).toEqual([]);
    expect(watcher.catalog.sets.get("tiny")!.hash).toBe(initial.sets.get("tiny")!.hash);
  });
});

describe("hot reload through the HTTP app", () => {
  it("serves the reloaded set to new requests, with the new hash in system_fingerprint", async () => {
    const { watcher, setFile, location } = await watchCopy();
    const engine = new FakeEngine({ script: "Fine." });
    const app = createApp({ engine: () => engine, catalog: watcher.catalog, systemMessageMode: "append", maxBodyBytes: 1 << 20 });
    const ask = async () => {
      const response = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "urial/tiny", messages: [{ role: "user", content: "Hi" }] }),
      });
      expect(response.status).toBe(200);
      return { set: response.headers.get("x-urial-exemplar-set"), body: (await response.json()) as { system_fingerprint: string } };
    };
    const before = await ask();
    expect(before.set).toBe("tiny@1.0.0");
    expect(engine.lastCall().promptText).toContain("Tell me about a cat.");

    await editTinySet(setFile, "A reloaded answer.");
    await writeFile(
      join(location.exemplarsDir, "added.json"),
      JSON.stringify({ name: "added", version: "1", description: "d", systemPrompt: "tiny", exemplars: [{ id: "a", query: "q", answer: "a" }] }),
    );
    expect(await watcher.reload()).toBe(true);

    const after = await ask();
    expect(after.set).toBe("tiny@1.1.0");
    expect(after.body.system_fingerprint).toBe(`fp_${watcher.catalog.sets.get("tiny")!.hash}`);
    expect(after.body.system_fingerprint).not.toBe(before.body.system_fingerprint);
    expect(engine.lastCall().promptText).toContain("A reloaded answer.");
    const models = (await (await app.request("/v1/models")).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain("urial/added");
  });
});
