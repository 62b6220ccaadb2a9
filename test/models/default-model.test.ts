import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serveHelp } from "../../src/config/serve-config.js";
import { defaultBaseModel, defaultModelReference } from "../../src/models/default-model.js";
import { parseModelReference } from "../../src/models/model-reference.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("the default base model", () => {
  it("is one file of a hub repository, an untuned base model (not an instruct or chat one)", () => {
    expect(parseModelReference(defaultBaseModel.uri)).toMatchObject({ kind: "hub", file: expect.stringMatching(/\.gguf$/) });
    expect(defaultBaseModel.uri).not.toMatch(/instruct|chat|-it\b/i);
  });

  it("is documented with its exact URI and license in the README and in serve --help", () => {
    const section = readme.slice(readme.indexOf("## Models"));
    expect(section).toContain(`\`${defaultBaseModel.uri}\``);
    expect(section).toContain(`license **${defaultBaseModel.license}**`);
    expect(serveHelp()).toContain(defaultBaseModel.uri);
  });

  it("can be replaced with URIAL_DEFAULT_MODEL (an empty value does not count)", () => {
    expect(defaultModelReference({})).toBe(defaultBaseModel.uri);
    expect(defaultModelReference({ URIAL_DEFAULT_MODEL: "" })).toBe(defaultBaseModel.uri);
    expect(defaultModelReference({ URIAL_DEFAULT_MODEL: "http://127.0.0.1:9/m.gguf" })).toBe("http://127.0.0.1:9/m.gguf");
  });
});
