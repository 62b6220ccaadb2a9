import { describe, expect, it } from "vitest";
import { parseChatTemplateOverride } from "../../src/engine/chat-template-override.js";
import { ChatTemplateError } from "../../src/engine/scoring-model.js";

describe("parseChatTemplateOverride", () => {
  it("takes anything with {{ or {% as a Jinja template, unchanged", () => {
    const template = "{% for message in messages %}{{ message['content'] + '\\n' }}{% endfor %}";
    expect(parseChatTemplateOverride(template)).toEqual({ kind: "jinja", template });
  });

  it("splits a plain layout around {query} and unescapes \\n, \\t and \\\\", () => {
    expect(parseChatTemplateOverride("User: {query}\\nAssistant:")).toEqual({ kind: "layout", before: "User: ", after: "\nAssistant:" });
    expect(parseChatTemplateOverride("<|im_start|>user\\t{query}\\\\n")).toEqual({ kind: "layout", before: "<|im_start|>user\t", after: "\\n" });
  });

  it("keeps real newlines of a layout read from a file", () => {
    expect(parseChatTemplateOverride("User: {query}\nAssistant:")).toEqual({ kind: "layout", before: "User: ", after: "\nAssistant:" });
  });

  it("rejects a layout without exactly one {query}", () => {
    expect(() => parseChatTemplateOverride("User: hello")).toThrow(ChatTemplateError);
    expect(() => parseChatTemplateOverride("{query} and {query}")).toThrow(/exactly one \{query\}/);
    expect(() => parseChatTemplateOverride("   ")).toThrow(/empty/);
  });
});
