import { describe, expect, it } from "vitest";
import { CompletionText, stripClosingFence, type CompletionTextOptions, type Emission } from "../../src/hygiene/completion-text.js";
import { urialLineStops } from "../../src/prompt/render-urial-prompt.js";

/** Pushes `pieces` (each with its own index as entry) and returns every emission, the final flush last. */
function run(options: CompletionTextOptions, pieces: readonly string[]): { pushes: Emission<number>[]; final: Emission<number>; text: string } {
  const completion = new CompletionText<number>(options);
  const pushes = pieces.map((piece, index) => completion.push(piece, index));
  const final = completion.finish();
  const text = pushes.map((emission) => emission.text).join("") + final.text;
  return { pushes, final, text };
}

const urialAnswer: CompletionTextOptions = { cleanAnswer: true, lineStops: urialLineStops };

describe("CompletionText without options", () => {
  it("releases every piece as it arrives, with its entry", () => {
    const completion = new CompletionText<string>();
    expect(completion.push("Hello", "a")).toEqual({ text: "Hello", entries: ["a"] });
    expect(completion.push(" world ", "b")).toEqual({ text: " world ", entries: ["b"] });
    expect(completion.push("\n```")).toEqual({ text: "\n```", entries: [] });
    expect(completion.finish()).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(false);
    expect(completion.rawText).toBe("Hello world \n```");
  });

  it("keeps leading whitespace and a trailing fence (no cleaning)", () => {
    const { text } = run({}, ["  \n", "Answer.", "\n```", "\n"]);
    expect(text).toBe("  \nAnswer.\n```\n");
  });

  it("returns nothing from a second finish()", () => {
    const completion = new CompletionText<number>({ stops: ["END"] });
    completion.push("abc E", 0);
    expect(completion.finish()).toEqual({ text: "E", entries: [0] });
    expect(completion.finish()).toEqual({ text: "", entries: [] });
  });

  it("ignores pushes after finish()", () => {
    const completion = new CompletionText<number>();
    completion.push("a", 0);
    completion.finish();
    expect(completion.push("b", 1)).toEqual({ text: "", entries: [] });
    expect(completion.rawText).toBe("a");
  });
});

describe("CompletionText stop strings", () => {
  it("holds back a stop arriving one character per push and cuts it", () => {
    const completion = new CompletionText<number>({ stops: ["END"] });
    expect(completion.push("abc E", 0)).toEqual({ text: "abc ", entries: [] });
    expect(completion.push("N", 1)).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(false);
    expect(completion.push("D", 2)).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(true);
    // Entry 0 ("abc E") straddles the cut: released with its kept part; 1 and 2 are stop text.
    expect(completion.finish()).toEqual({ text: "", entries: [0] });
    expect(completion.rawText).toBe("abc END");
  });

  it("releases a held partial once it turns out not to be a stop", () => {
    const completion = new CompletionText<number>({ stops: ["END"] });
    expect(completion.push("E", 0)).toEqual({ text: "", entries: [] });
    expect(completion.push("N", 1)).toEqual({ text: "", entries: [] });
    expect(completion.push("d", 2)).toEqual({ text: "ENd", entries: [0, 1, 2] });
    expect(completion.push("E", 3)).toEqual({ text: "", entries: [] });
    expect(completion.finish()).toEqual({ text: "E", entries: [3] });
    expect(completion.stopped).toBe(false);
  });

  it("cuts a stop that arrives inside one piece", () => {
    const { pushes, final } = run({ stops: ["END"] }, ["hello END world"]);
    expect(pushes).toEqual([{ text: "", entries: [] }]);
    expect(final).toEqual({ text: "hello ", entries: [0] });
  });

  it("cuts everything when the text starts with the stop", () => {
    const { text, final } = run({ stops: ["END"] }, ["END", " more"]);
    expect(text).toBe("");
    expect(final.entries).toEqual([]);
  });

  it("lets the earliest of several stops win, whatever their order", () => {
    expect(run({ stops: ["world", "lo"] }, ["hello world"]).text).toBe("hel");
    expect(run({ stops: ["lo", "world"] }, ["hello world"]).text).toBe("hel");
  });

  it("lets a shorter stop that completes first win over a longer one still forming", () => {
    const completion = new CompletionText<number>({ stops: ["abcd", "bc"] });
    expect(completion.push("xab", 0)).toEqual({ text: "x", entries: [] });
    expect(completion.push("c", 1)).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(true);
    expect(completion.finish()).toEqual({ text: "a", entries: [0] });
  });

  it("finds a stop spread over three pieces", () => {
    const { text } = run({ stops: ["<|end|>"] }, ["Done<|", "en", "d|> trailing"]);
    expect(text).toBe("Done");
  });

  it("ignores empty stop strings", () => {
    const { text } = run({ stops: [""], lineStops: [""] }, ["some ", "text"]);
    expect(text).toBe("some text");
  });

  it("ignores pushes after a stop", () => {
    const completion = new CompletionText<number>({ stops: ["END"] });
    completion.push("okEND", 0);
    expect(completion.push("more", 1)).toEqual({ text: "", entries: [] });
    expect(completion.rawText).toBe("okEND");
    expect(completion.finish()).toEqual({ text: "ok", entries: [0] });
  });

  it("drops the entries of pieces that lie entirely in the stop", () => {
    const { pushes, final } = run({ stops: ["END"] }, ["ok ", "E", "ND", " after"]);
    expect(pushes[0]).toEqual({ text: "ok ", entries: [0] });
    expect(final).toEqual({ text: "", entries: [] });
  });
});

describe("CompletionText line stops", () => {
  it("stops at '\\n# Query' in the middle of the text", () => {
    const { text } = run({ lineStops: urialLineStops }, ["Answer text", "\n# Query:", " next"]);
    expect(text).toBe("Answer text");
  });

  it("stops at '\\n# Answer' too", () => {
    const { text } = run({ lineStops: urialLineStops }, ["First line\n", "# Answer:\n"]);
    expect(text).toBe("First line");
  });

  it("matches at the very start of the text, as if a newline preceded it", () => {
    const completion = new CompletionText<number>({ lineStops: urialLineStops });
    expect(completion.push("# Query:", 0)).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(true);
    expect(completion.finish()).toEqual({ text: "", entries: [] });
  });

  it("holds a '#' at the start until it is clearly not a header", () => {
    const completion = new CompletionText<number>({ lineStops: urialLineStops });
    expect(completion.push("#", 0)).toEqual({ text: "", entries: [] });
    expect(completion.push(" Q", 1)).toEqual({ text: "", entries: [] });
    expect(completion.push("uick", 2)).toEqual({ text: "# Quick", entries: [0, 1, 2] });
    expect(completion.stopped).toBe(false);
  });

  it("does not stop at '# Query' in the middle of a line", () => {
    const { text } = run({ lineStops: urialLineStops }, ["see a # Query: here"]);
    expect(text).toBe("see a # Query: here");
  });

  it("holds a trailing newline that may begin a header", () => {
    const completion = new CompletionText<number>({ lineStops: urialLineStops });
    expect(completion.push("line\n", 0)).toEqual({ text: "line", entries: [] });
    expect(completion.push("next", 1)).toEqual({ text: "\nnext", entries: [0, 1] });
  });
});

describe("CompletionText answer cleaning", () => {
  it("drops leading whitespace", () => {
    const completion = new CompletionText<number>({ cleanAnswer: true });
    expect(completion.push("\n  ", 0)).toEqual({ text: "", entries: [] });
    expect(completion.push("Hi", 1)).toEqual({ text: "Hi", entries: [1] });
    expect(completion.finish()).toEqual({ text: "", entries: [] });
  });

  it("holds trailing whitespace back and releases it when more text arrives", () => {
    const completion = new CompletionText<number>({ cleanAnswer: true });
    expect(completion.push("Hello ", 0)).toEqual({ text: "Hello", entries: [] });
    expect(completion.push("world", 1)).toEqual({ text: " world", entries: [0, 1] });
  });

  it("holds trailing backticks back and releases them when more text arrives", () => {
    const completion = new CompletionText<number>({ cleanAnswer: true });
    expect(completion.push("Use `", 0)).toEqual({ text: "Use", entries: [] });
    expect(completion.push("x` now", 1)).toEqual({ text: " `x` now", entries: [0, 1] });
  });

  it("drops trailing whitespace at finish", () => {
    const { text } = run({ cleanAnswer: true }, ["Done.", "\n\n  "]);
    expect(text).toBe("Done.");
  });

  it("removes the fence that closes the answer block", () => {
    const completion = new CompletionText<number>({ cleanAnswer: true });
    expect(completion.push("Answer.", 0)).toEqual({ text: "Answer.", entries: [0] });
    expect(completion.push("\n", 1)).toEqual({ text: "", entries: [] });
    expect(completion.push("```", 2)).toEqual({ text: "", entries: [] });
    // The newline and the fence are stripped, so their entries are dropped with them.
    expect(completion.finish()).toEqual({ text: "", entries: [] });
  });

  it("keeps a fence that closes a code block opened inside the answer", () => {
    const { text } = run({ cleanAnswer: true }, ["Code:\n", "```js\n", "x()\n", "```"]);
    expect(text).toBe("Code:\n```js\nx()\n```");
  });

  it("removes the block's closing fence after an inner code block", () => {
    const { text } = run({ cleanAnswer: true }, ["Code:\n```js\nx()\n```", "\nDone.\n", "```\n"]);
    expect(text).toBe("Code:\n```js\nx()\n```\nDone.");
  });

  it("cleans a typical URIAL answer that runs into the next query block", () => {
    const { pushes, text } = run(urialAnswer, ["\n", "Sure", "!", " Here", ".\n", "```", "\n\n", "# Query", ":"]);
    expect(text).toBe("Sure! Here.");
    expect(pushes.map((emission) => emission.text)).toEqual(["", "Sure", "!", " Here", ".", "", "", "", ""]);
  });

  it("gives an empty answer when only whitespace was generated", () => {
    const { text, final } = run({ cleanAnswer: true }, ["\n", "  \n"]);
    expect(text).toBe("");
    expect(final.entries).toEqual([]);
  });

  it("gives an empty answer when only the closing fence was generated", () => {
    const { text, final } = run(urialAnswer, ["\n```", "\n\n# Query:"]);
    expect(text).toBe("");
    expect(final.entries).toEqual([]);
  });
});

describe("CompletionText entries (logprob tokens)", () => {
  it("are released with the push that releases all of their text", () => {
    const completion = new CompletionText<string>({ stops: ["STOP"] });
    expect(completion.push("a", "A")).toEqual({ text: "a", entries: ["A"] });
    expect(completion.push("bS", "B")).toEqual({ text: "b", entries: [] });
    expect(completion.push("x", "C")).toEqual({ text: "Sx", entries: ["B", "C"] });
  });

  it("are not placed when a piece comes without one", () => {
    const completion = new CompletionText<string>();
    expect(completion.push("a")).toEqual({ text: "a", entries: [] });
    expect(completion.push("b", "B")).toEqual({ text: "b", entries: ["B"] });
  });

  it("are dropped when their text lies entirely in stripped leading whitespace", () => {
    const { pushes } = run({ cleanAnswer: true }, ["\n", " ", "Hi"]);
    expect(pushes).toEqual([
      { text: "", entries: [] },
      { text: "", entries: [] },
      { text: "Hi", entries: [2] },
    ]);
  });

  it("are kept when their text starts in leading whitespace and reaches the answer", () => {
    const { pushes } = run({ cleanAnswer: true }, [" Hi", " there"]);
    expect(pushes).toEqual([
      { text: "Hi", entries: [0] },
      { text: " there", entries: [1] },
    ]);
  });

  it("are dropped when their text spans leading whitespace and a stop (empty answer)", () => {
    const completion = new CompletionText<number>(urialAnswer);
    expect(completion.push("\n#", 0)).toEqual({ text: "", entries: [] });
    expect(completion.push(" Query", 1)).toEqual({ text: "", entries: [] });
    expect(completion.stopped).toBe(true);
    expect(completion.finish()).toEqual({ text: "", entries: [] });
  });

  it("match the released text one to one over a whole stream", () => {
    const pieces = ["\n", "The", " answer", " is", " 4", ".", "\n", "```", "\n\n", "# Query"];
    const completion = new CompletionText<string>(urialAnswer);
    const released: Emission<string>[] = pieces.map((piece) => completion.push(piece, piece));
    released.push(completion.finish());
    const text = released.map((emission) => emission.text).join("");
    const entries = released.flatMap((emission) => emission.entries);
    expect(text).toBe("The answer is 4.");
    expect(entries).toEqual(["The", " answer", " is", " 4", "."]);
  });
});

describe("stripClosingFence", () => {
  it("removes a lone closing fence and the whitespace before it", () => {
    expect(stripClosingFence("Answer.\n\n```\n")).toBe("Answer.");
  });

  it("removes an indented or longer closing fence", () => {
    expect(stripClosingFence("Answer.\n  ````  ")).toBe("Answer.");
  });

  it("keeps a fence that closes an inner code block (even number of fences)", () => {
    expect(stripClosingFence("Code:\n```python\nprint(1)\n```")).toBe("Code:\n```python\nprint(1)\n```");
  });

  it("removes the closing fence after an inner code block (odd number of fences)", () => {
    expect(stripClosingFence("Code:\n```python\nprint(1)\n```\n```")).toBe("Code:\n```python\nprint(1)\n```");
  });

  it("leaves a last line with an info string alone (it opens, not closes)", () => {
    expect(stripClosingFence("Example:\n```js")).toBe("Example:\n```js");
  });

  it("leaves inline backticks at the end alone", () => {
    expect(stripClosingFence("Run ```npm test```")).toBe("Run ```npm test```");
  });

  it("only trims trailing whitespace when there is no fence", () => {
    expect(stripClosingFence("  Plain answer. \n")).toBe("  Plain answer.");
  });

  it("turns a fence-only answer into an empty one", () => {
    expect(stripClosingFence("```")).toBe("");
  });
});

describe("CompletionText cut reasons", () => {
  it("is undefined while nothing was cut", () => {
    const completion = new CompletionText<number>({ stops: ["END"], lineStops: urialLineStops });
    completion.push("fine", 0);
    completion.finish();
    expect(completion.cutReason).toBeUndefined();
  });

  it("names the client's stop string", () => {
    const completion = new CompletionText<number>({ stops: ["END", "STOP"] });
    completion.push("a STOP b END", 0);
    expect(completion.cutReason).toEqual({ kind: "stop", text: "STOP" });
  });

  it("names a block stop", () => {
    const completion = new CompletionText<number>({ lineStops: urialLineStops });
    completion.push("answer\n# Answer:", 0);
    expect(completion.cutReason).toEqual({ kind: "block", text: "\n# Answer" });
  });
});

describe("CompletionText leak stops", () => {
  it("cut prompt material anywhere in the text, held while partial", () => {
    const completion = new CompletionText<number>({ leakStops: ["<internal-thoughts>"] });
    expect(completion.push("Fine. <internal", 0)).toEqual({ text: "Fine. ", entries: [] });
    expect(completion.push("-thoughts>", 1)).toEqual({ text: "", entries: [] });
    expect(completion.cutReason).toEqual({ kind: "leak", text: "<internal-thoughts>" });
    expect(completion.finish()).toEqual({ text: "", entries: [0] });
  });

  it("lose to an earlier client stop", () => {
    const completion = new CompletionText<number>({ stops: ["!"], leakStops: ["LEAK"] });
    completion.push("Hi! LEAK", 0);
    expect(completion.cutReason).toEqual({ kind: "stop", text: "!" });
    expect(completion.finish().text).toBe("Hi");
  });
});

describe("CompletionText repetition rule", () => {
  const words = (text: string) => text.match(/\S+\s/g)!;

  it("cuts an n-gram seen once too often, from its first word", () => {
    const completion = new CompletionText<number>({ repetition: { ngram: 3, maxOccurrences: 1 } });
    const released = words("one two three one two three four ").map((word, index) => completion.push(word, index).text);
    // Nothing is held until "one two three" has been seen maxOccurrences
    // times; then the words that could begin it again ("one", "one two") are.
    expect(released).toEqual(["one ", "two ", "three ", "", "", "", ""]);
    expect(completion.stopped).toBe(true);
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "one two three" });
    expect(completion.finish()).toEqual({ text: "", entries: [] });
    expect(completion.rawText).toBe("one two three one two three ");
  });

  it("allows maxOccurrences repeats", () => {
    const { text } = run({ repetition: { ngram: 2, maxOccurrences: 2 } }, words("a b a b c d "));
    expect(text).toBe("a b a b c d ");
  });

  it("compares words case-insensitively", () => {
    const { text } = run({ cleanAnswer: true, repetition: { ngram: 2, maxOccurrences: 1 } }, words("Go home. go HOME. now "));
    expect(text).toBe("Go home.");
  });

  it("cuts a repetition and a stop at whichever comes first", () => {
    const completion = new CompletionText<number>({ stops: ["ZZ"], repetition: { ngram: 1, maxOccurrences: 1 } });
    completion.push("x y x ZZ ", 0);
    expect(completion.cutReason).toEqual({ kind: "repetition", text: "x" });
    expect(completion.finish().text).toBe("x y ");
  });

  it("ignores leading whitespace that a clean answer drops", () => {
    const { text, pushes, final } = run({ cleanAnswer: true, repetition: { ngram: 2, maxOccurrences: 1 } }, ["\n\n", "A ", "B ", "C ", "A ", "B ", "D "]);
    expect(text).toBe("A B C");
    expect([...pushes, final].flatMap((emission) => emission.entries)).toEqual([1, 2, 3]);
  });
});
