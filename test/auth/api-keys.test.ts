import { describe, expect, it } from "vitest";
import { createApiKeyMatcher } from "../../src/auth/api-key-matcher.js";
import { ApiKeyError, parseApiKeysFile, validateApiKeys } from "../../src/auth/parse-api-keys.js";

describe("createApiKeyMatcher", () => {
  it("matches exactly one of the keys, whatever their lengths", () => {
    const matches = createApiKeyMatcher(["short", "a-much-longer-key-0123456789"]);
    expect(matches("short")).toBe(true);
    expect(matches("a-much-longer-key-0123456789")).toBe(true);
    for (const other of ["", "shor", "shortt", "SHORT", "a-much-longer-key-012345678", "short "]) expect(matches(other)).toBe(false);
  });

  it("matches nothing without keys", () => {
    expect(createApiKeyMatcher([])("anything")).toBe(false);
  });
});

describe("parseApiKeysFile", () => {
  it("reads one key per line, skipping blank lines and # comments, and drops duplicates", () => {
    expect(parseApiKeysFile("# team keys\nsk-one\n\n  sk-two  \r\nsk-one\n# sk-old\n", "keys.txt")).toEqual(["sk-one", "sk-two"]);
  });

  it("names the file and line of an unusable key without showing it, and refuses a file without keys", () => {
    const bad = () => parseApiKeysFile("sk-ok\nsk with space\n", "keys.txt");
    expect(bad).toThrow(ApiKeyError);
    expect(bad).toThrow("keys.txt:2: not a usable key");
    try {
      bad();
    } catch (error) {
      expect((error as Error).message).not.toContain("sk with space");
    }
    expect(() => parseApiKeysFile("# nothing\n\n", "empty.txt")).toThrow("empty.txt: no keys in the file");
  });
});

describe("validateApiKeys", () => {
  it("keeps usable keys once each and refuses others without echoing them", () => {
    expect(validateApiKeys(["a", "b", "a"], "--api-key")).toEqual(["a", "b"]);
    expect(() => validateApiKeys(["ok", "tab\tkey"], "--api-key")).toThrow("--api-key: key 2 is not usable");
    expect(() => validateApiKeys(["ok", "tab\tkey"], "--api-key")).not.toThrow("tab\tkey");
  });
});
