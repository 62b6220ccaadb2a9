import { describe, expect, it } from "vitest";
import { checkSameTokenizer } from "../../src/shift/check-same-tokenizer.js";
import { ShiftInputError } from "../../src/shift/shift-input-error.js";
import { createFakeScoringModel } from "./support/fake-scoring-model.js";

describe("checkSameTokenizer", () => {
  it("accepts two models with the same tokenizer (different weights)", () => {
    expect(() => checkSameTokenizer(createFakeScoringModel({ seed: 1 }), createFakeScoringModel({ seed: 2 }))).not.toThrow();
  });

  it("rejects different vocabulary sizes, naming both models and sizes", () => {
    const check = () => checkSameTokenizer(createFakeScoringModel({ seed: 1, name: "base" }), createFakeScoringModel({ seed: 2, name: "chat", vocabularySize: 70 }));
    expect(check).toThrow(ShiftInputError);
    expect(check).toThrow(/\/fake\/base\.gguf.*\/fake\/chat\.gguf.*64 and 70 tokens/);
  });

  it("rejects a same-sized vocabulary that tokenizes differently", () => {
    const check = () => checkSameTokenizer(createFakeScoringModel({ seed: 1 }), createFakeScoringModel({ seed: 1, tokenOffset: 3 }));
    expect(check).toThrow(/tokenize a probe text differently \(from token 2:/);
  });
});
