import { describe, expect, it } from "vitest";
import { isCompleteJson } from "../../src/engine/is-complete-json.js";

describe("isCompleteJson", () => {
  it("is true once a whole object or array has been written, trailing whitespace aside", () => {
    expect(isCompleteJson('{"a": [1, 2]}')).toBe(true);
    expect(isCompleteJson("[1, {}]\n  ")).toBe(true);
  });

  it("is false for a value still open, a closing bracket inside a string, or a bare scalar", () => {
    expect(isCompleteJson('{"a": [1, 2]')).toBe(false);
    expect(isCompleteJson('{"a": "}')).toBe(false);
    expect(isCompleteJson('"done"')).toBe(false);
    expect(isCompleteJson("42")).toBe(false);
    expect(isCompleteJson("")).toBe(false);
  });
});
