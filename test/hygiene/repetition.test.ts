/**
 * The repetition part of `CompletionText` (the `RepetitionRule`): which text
 * is held back while it may still begin a repeated n-gram, where a cut lands,
 * the cut reason, and that scanning stays linear on long runs.
 */
import { describe, expect, it } from "vitest";
import { CompletionText, type CompletionTextOptions, type Emission } from "../../src/hygiene/completion-text.js";

/** Pushes each piece with its index as the entry; returns each push's text, the final emission and the instance. */
function run(options: CompletionTextOptions, pieces: readonly string[]) {
  const completion = new CompletionText<number>(options);
  const pushes: Emission<number>[] = pieces.map((piece, index) => completion.push(piece, index));
  const final = completion.finish();
  const all = [...pushes, final];
  return {
    completion,
    released: pushes.map((push) => push.text),
    text: all.map((emission) => emission.text).join(""),
    entries: all.flatMap((emission) => emission.entries),
  };
}

const six = { ngram: 6, maxOccurrences: 2 };

describe("RepetitionRule hold-back", () => {
  it("streams ordinary text without holding anything back", () => {
    const words = "w1 w2 w3 w4 w5 w6 w7 w8 ".match(/\S+ /g)!;
    const { released, text } = run({ repetition: six }, words);
    expect(released).toEqual(words);
    expect(text).toBe("w1 w2 w3 w4 w5 w6 w7 w8 ");
  });

  it("holds only the words that could begin an n-gram already seen maxOccurrences times", () => {
    const completion = new CompletionText({ repetition: { ngram: 3, maxOccurrences: 1 } });
    expect(completion.push("a b c ").text).toBe("a b c ");
    // "a" and "a b" begin the at-risk "a b c": held until the next word decides.
    expect(completion.push("a ").text).toBe("");
    expect(completion.push("b ").text).toBe("");
    expect(completion.push("x ").text).toBe("a b x ");
    expect(completion.stopped).toBe(false);
  });

  it("holds the word being written while an n-gram is at risk, and not before", () => {
    const completion = new CompletionText({ repetition: { ngram: 3, maxOccurrences: 1 } });
    expect(completion.push("par").text).toBe("par");
    expect(completion.push("tial a b c ").text).toBe("tial a b c ");
    expect(completion.push("wor").text).toBe("");
    expect(completion.push("d ").text).toBe("word ");
  });

  it("releases whitespace after a held word only together with the word", () => {
    const completion = new CompletionText({ repetition: { ngram: 2, maxOccurrences: 1 } });
    expect(completion.push("a b ").text).toBe("a b ");
    expect(completion.push("a\n\n").text).toBe("");
    expect(completion.push("c\t").text).toBe("a\n\nc\t");
  });

  it("holds nothing back without a rule", () => {
    expect(run({}, ["one ", "two ", "thr"]).released).toEqual(["one ", "two ", "thr"]);
  });

  it("with 1-grams holds only the word being written (and does not throw before the first word)", () => {
    const completion = new CompletionText({ repetition: { ngram: 1, maxOccurrences: 5 } });
    expect(completion.push("x").text).toBe("");
    expect(completion.push("y ").text).toBe("xy ");
    expect(completion.push("z").text).toBe("");
    expect(completion.finish().text).toBe("z");
  });
});

describe("RepetitionRule cut", () => {
  it("cuts at the first word of the third occurrence of a 6-gram", () => {
    const phrase = "I like to eat red apples ";
    const { text, completion } = run({ repetition: six, cleanAnswer: true }, `Well ${phrase}and ${phrase}so ${phrase}again and again`.split(/(?<= )/));
    expect(text).toBe(`Well ${phrase}and ${phrase}so`);
    expect(completion.stopped).toBe(true);
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "I like to eat red apples" });
  });

  it("counts overlapping occurrences: 'a a a a' has the 2-gram 'a a' three times", () => {
    const { text, completion } = run({ repetition: { ngram: 2, maxOccurrences: 2 } }, ["a ", "a ", "a ", "a ", "b "]);
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "a a" });
    // The third 'a a' starts at the third 'a'.
    expect(text).toBe("a a ");
  });

  it("does not cut before the occurrence's last word is complete (followed by whitespace)", () => {
    const completion = new CompletionText({ repetition: { ngram: 2, maxOccurrences: 1 } });
    completion.push("go home go hom");
    expect(completion.stopped).toBe(false);
    completion.push("e");
    expect(completion.stopped).toBe(false);
    completion.push(" now");
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "go home" });
  });

  it("keeps the original whitespace of the cut occurrence in its text but compares words only", () => {
    const completion = new CompletionText({ repetition: { ngram: 3, maxOccurrences: 1 } });
    completion.push("one two three\n\none\ttwo  three ");
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "one\ttwo  three" });
    expect(completion.finish().text).toBe("one two three\n\n");
  });

  it("treats punctuation as part of a word", () => {
    const { completion } = run({ repetition: { ngram: 2, maxOccurrences: 1 } }, ["go home. go home! go home, "]);
    expect(completion.stopped).toBe(false);
  });

  it("finds the earliest offending occurrence when several complete in one piece", () => {
    const { completion, text } = run({ repetition: { ngram: 2, maxOccurrences: 1 } }, ["x y z x y q z x y "]);
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "x y" });
    expect(text).toBe("x y z ");
  });

  it("drops the entries of pieces that lie in the cut occurrence", () => {
    const { entries, text } = run({ repetition: { ngram: 2, maxOccurrences: 1 } }, ["a ", "b ", "c ", "a ", "b ", "d "]);
    expect(text).toBe("a b c ");
    expect(entries).toEqual([0, 1, 2]);
  });

  it("lets an earlier stop string win over a later repetition, and a repetition win over a later stop", () => {
    const stopFirst = run({ stops: ["STOP"], repetition: { ngram: 1, maxOccurrences: 1 } }, ["a STOP a "]);
    expect(stopFirst.completion.cutReason).toEqual({ kind: "stop", text: "STOP" });
    expect(stopFirst.text).toBe("a ");
    const repetitionFirst = run({ stops: ["STOP"], repetition: { ngram: 1, maxOccurrences: 1 } }, ["a b a STOP "]);
    expect(repetitionFirst.completion.cutReason).toEqual({ kind: "repetition", text: "a" });
    expect(repetitionFirst.text).toBe("a b ");
  });

  it("ignores pushes after the cut", () => {
    const completion = new CompletionText<number>({ repetition: { ngram: 1, maxOccurrences: 1 } });
    completion.push("a a ", 0);
    expect(completion.push("fresh words ", 1)).toEqual({ text: "", entries: [] });
    expect(completion.finish()).toEqual({ text: "a ", entries: [0] });
  });

  it("counts per instance: a new CompletionText starts from zero", () => {
    const options = { repetition: { ngram: 2, maxOccurrences: 1 } };
    expect(run(options, ["a b "]).completion.stopped).toBe(false);
    expect(run(options, ["a b "]).completion.stopped).toBe(false);
  });

  it("in a clean answer, ignores the leading whitespace and trims before the cut", () => {
    const { text, completion } = run({ repetition: { ngram: 2, maxOccurrences: 1 }, cleanAnswer: true }, ["\n  ", "a b", " c ", "a b "]);
    expect(text).toBe("a b c");
    expect(completion.cutReason?.kind).toBe("repetition");
  });
});

describe("RepetitionRule cost", () => {
  it("scans a long run without whitespace, one character per push", () => {
    // A base model drawing a separator line ("-----…") for thousands of
    // tokens. Re-scanning the whole run on every push is cubic (about 10 s
    // for these 3,000 pushes, past the test timeout for more); no timing is
    // asserted here, the test timeout bounds it.
    const completion = new CompletionText({ repetition: { ngram: 6, maxOccurrences: 2 }, cleanAnswer: true });
    let text = "";
    for (let index = 0; index < 3_000; index += 1) text += completion.push("-").text;
    text += completion.push(" done ").text + completion.finish().text;
    expect(text).toBe(`${"-".repeat(3_000)} done`);
  }, 5_000);
});
