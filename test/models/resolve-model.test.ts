/**
 * `--model` values that need no network: paths, cached names, bad URIs. The
 * `ModelFiles` passed here would fail the test if anything tried to fetch.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/models/model-file-check.js";
import type { FetchModelOptions } from "../../src/models/fetch-model.js";
import type { ModelFiles } from "../../src/models/model-files.js";
import { resolveModel } from "../../src/models/resolve-model.js";
import { testModelExists, testModelPath } from "../support/test-model.js";

const noNetwork: ModelFiles = {
  findCached: async () => undefined,
  prepareDownload: async () => {
    throw new Error("no download expected");
  },
  inspect: async () => {
    throw new Error("no inspection expected");
  },
};

let modelsDir: string;
let options: FetchModelOptions;

beforeEach(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), "urial-resolve-"));
  options = { modelsDir, files: noNetwork, settings: { hubEndpoint: "http://127.0.0.1:9/", hubToken: undefined, connectTimeoutMs: 1000, stallTimeoutMs: 1000 } };
});
afterEach(async () => rm(modelsDir, { recursive: true, force: true }));

async function problem(value: string): Promise<string> {
  const error = await resolveModel(value, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return (error as Error).message;
}

describe("resolveModel", () => {
  it.skipIf(!testModelExists)("keeps an existing path as it is", async () => {
    expect(await resolveModel(testModelPath, options)).toEqual({ path: testModelPath, origin: "path" });
  });

  it.skipIf(!testModelExists)("finds a cached model by its file name, with or without .gguf", async () => {
    await copyFile(testModelPath, join(modelsDir, "stories260K.gguf"));
    for (const name of ["stories260K.gguf", "stories260K"]) {
      expect(await resolveModel(name, options)).toEqual({ path: join(modelsDir, "stories260K.gguf"), origin: "cache" });
    }
  });

  it("says 'no such file' for a missing path, as before", async () => {
    expect(await problem("/nonexistent/dir/base.gguf")).toBe("/nonexistent/dir/base.gguf: no such file");
  });

  it("says where it looked and how to fetch a model for an unknown name", async () => {
    expect(await problem("llama-7b")).toBe(`llama-7b: no such file, and no model of that name in ${modelsDir} ('urial models' lists them; 'urial pull hf:<user>/<repo>/<file>.gguf' fetches one)`);
  });

  it("does not take a partial download or a hidden file for a model", async () => {
    await mkdir(join(modelsDir, ".partial"));
    await writeFile(join(modelsDir, ".partial", "big.gguf"), "GGUF");
    expect(await problem(".partial")).toContain("no such file");
    expect(await problem("big")).toContain("no model of that name");
  });

  it("rejects a file that is not a GGUF, and a malformed hf: URI, in one line", async () => {
    await writeFile(join(modelsDir, "notes.gguf"), "these are notes, not weights");
    expect(await problem("notes")).toContain("is not a GGUF model");
    expect(await problem("hf:only-a-user")).toBe("hf:only-a-user: 'hf:only-a-user' is not a Hugging Face model URI; write hf:<user>/<repo>/<file>.gguf or hf:<user>/<repo>:<quant>");
  });
});
