import { describe, expect, it } from "vitest";
import { describeReference, hubFileUrl, isRemoteReference, parseModelReference } from "../../src/models/model-reference.js";

describe("parseModelReference", () => {
  it("reads hf:<user>/<repo>/<file>.gguf, with a branch after #", () => {
    expect(parseModelReference("hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf")).toEqual({
      kind: "hub",
      uri: "hf:ggml-org/SmolLM2-135M-GGUF/SmolLM2-135M-Q4_K_M.gguf",
      user: "ggml-org",
      repo: "SmolLM2-135M-GGUF",
      file: "SmolLM2-135M-Q4_K_M.gguf",
      branch: "main",
      tag: undefined,
    });
    expect(parseModelReference("hf:user/repo/sub/dir/model.gguf#dev")).toMatchObject({ file: "sub/dir/model.gguf", branch: "dev", uri: "hf:user/repo/sub/dir/model.gguf#dev" });
  });

  it("reads hf:<user>/<repo>:<quant> and hf:<user>/<repo>, and the hf:// and huggingface: spellings", () => {
    expect(parseModelReference("hf:user/repo:Q8_0")).toMatchObject({ kind: "hub", uri: "hf:user/repo:Q8_0", file: undefined, tag: "Q8_0" });
    expect(parseModelReference("hf:user/repo")).toMatchObject({ kind: "hub", uri: "hf:user/repo", file: undefined, tag: undefined });
    expect(parseModelReference("hf://user/repo/model.gguf")).toMatchObject({ uri: "hf:user/repo/model.gguf" });
    expect(parseModelReference("huggingface:user/repo:Q4_K_M")).toMatchObject({ uri: "hf:user/repo:Q4_K_M" });
  });

  it("rejects a malformed hf: URI with the forms it takes", () => {
    for (const bad of ["hf:", "hf:user", "hf:/repo/x.gguf", "hf:user/repo:Q4/x.gguf", "hf:user/repo/"]) {
      expect(() => parseModelReference(bad), bad).toThrow("write hf:<user>/<repo>/<file>.gguf or hf:<user>/<repo>:<quant>");
    }
  });

  it("reads http(s) URLs and leaves everything else local", () => {
    expect(parseModelReference("https://example.test/models/m.gguf")).toEqual({ kind: "url", url: "https://example.test/models/m.gguf" });
    expect(parseModelReference("HTTP://127.0.0.1:8/m.gguf")).toMatchObject({ kind: "url" });
    for (const local of ["./models/m.gguf", "/abs/m.gguf", "m.gguf", "stories260K", "C:\\models\\m.gguf", "hfmodel.gguf"]) {
      expect(parseModelReference(local)).toEqual({ kind: "local", value: local });
    }
  });

  it("says which references need the network, and prints them canonically", () => {
    expect(isRemoteReference(parseModelReference("hf:u/r:Q8_0"))).toBe(true);
    expect(isRemoteReference(parseModelReference("https://x.test/m.gguf"))).toBe(true);
    expect(isRemoteReference(parseModelReference("m.gguf"))).toBe(false);
    expect(describeReference(parseModelReference("hf://u/r/m.gguf"))).toBe("hf:u/r/m.gguf");
  });
});

describe("hubFileUrl", () => {
  it("builds the resolve URL of a file, encoding each path part", () => {
    const reference = parseModelReference("hf:user/repo/sub dir/m+1.gguf#v2");
    if (reference.kind !== "hub") throw new Error("expected a hub reference");
    expect(hubFileUrl("http://127.0.0.1:9/", reference)).toBe("http://127.0.0.1:9/user/repo/resolve/v2/sub%20dir/m%2B1.gguf");
    expect(hubFileUrl("http://127.0.0.1:9", reference)).toBe("http://127.0.0.1:9/user/repo/resolve/v2/sub%20dir/m%2B1.gguf");
  });

  it("has no URL for a quant tag (node-llama-cpp resolves it through the hub's manifest)", () => {
    const reference = parseModelReference("hf:user/repo:Q8_0");
    if (reference.kind !== "hub") throw new Error("expected a hub reference");
    expect(hubFileUrl("https://hub.test/", reference)).toBeUndefined();
  });
});
