/**
 * The output-hygiene rules of `prompt/answer-rules` (kept next to the pipeline
 * tests because the rules are data for it): which stops each template gets,
 * which exemplar questions count as a leak, the 6-gram repetition rule, and
 * how a cut is reported as `stop_reason`.
 */
import { describe, expect, it } from "vitest";
import { repetitionRule, stopReasonOf, urialAnswerPipeline } from "../../src/prompt/answer-rules.js";
import { thoughtsClose, thoughtsOpen, urialLineStops, type Exchange } from "../../src/prompt/render-urial-prompt.js";
import { createAnswerPipeline, type PipelineOptions } from "../../src/hygiene/answer-pipeline.js";

const longQuestion = "How do I keep cut flowers fresh for longer?";
const exemplars: Exchange[] = [
  { query: longQuestion, answer: "Trim the stems." },
  // Shorter than 24 characters: too generic to count as a leak.
  { query: "What is 2 + 2?", answer: "4." },
  // Only the first line counts, trimmed.
  { query: "  Write a short poem about the sea.  \nMake it rhyme, please.", answer: "Waves." },
];

/** Runs the pipeline over the pieces; returns the content, the thoughts and the cut. */
function answer(options: PipelineOptions, pieces: readonly string[]) {
  const pipeline = createAnswerPipeline<never>(options);
  let content = "";
  let reasoning = "";
  for (const piece of pieces) {
    const emission = pipeline.push(piece);
    content += emission.content.text;
    reasoning += emission.reasoning.text;
    if (pipeline.stopped) break;
  }
  const rest = pipeline.finish();
  return { content: content + rest.content.text, reasoning: reasoning + rest.reasoning.text, cut: pipeline.cutReason };
}

describe("repetitionRule", () => {
  it("is URIAL's filter: a 6-gram may occur twice, the third occurrence is cut", () => {
    expect(repetitionRule).toEqual({ ngram: 6, maxOccurrences: 2 });
  });
});

describe("urialAnswerPipeline for the urial template", () => {
  const options = urialAnswerPipeline({ template: "urial", exemplars, stops: ["END"] });

  it("is one plain channel with the client's stops, block stops, leak stops, the repetition rule and cleaning", () => {
    expect(options).toEqual({
      kind: "plain",
      content: {
        stops: ["END"],
        lineStops: urialLineStops,
        leakStops: [longQuestion, "Write a short poem about the sea.", thoughtsOpen, thoughtsClose],
        repetition: { ngram: 6, maxOccurrences: 2 },
        cleanAnswer: true,
      },
    });
  });

  it("counts exemplar questions of 24 characters or more as leaks, and not shorter ones", () => {
    const exact = "a".repeat(24);
    const short = "b".repeat(23);
    const built = urialAnswerPipeline({
      template: "urial",
      exemplars: [
        { query: exact, answer: "x" },
        { query: short, answer: "y" },
      ],
      stops: [],
    });
    expect(built.kind === "plain" && built.content.leakStops).toEqual([exact, thoughtsOpen, thoughtsClose]);
  });

  it("cuts an answer that starts replaying an exemplar's question, as a leak", () => {
    const result = answer(options, ["Sure! Here is a tip.\n\n", "How do I keep cut ", "flowers fresh for longer?", " Trim the stems."]);
    expect(result.content).toBe("Sure! Here is a tip.");
    expect(result.cut).toEqual({ kind: "leak", text: longQuestion });
  });

  it("does not cut the answer at a short exemplar question", () => {
    const result = answer(options, ["What is 2 + 2? It is four."]);
    expect(result.content).toBe("What is 2 + 2? It is four.");
    expect(result.cut).toBeUndefined();
  });

  it("cuts thought markers in a urial answer as leaks", () => {
    expect(answer(options, ["Hello <internal-thoughts> hidden"]).cut).toEqual({ kind: "leak", text: thoughtsOpen });
    expect(answer(options, ["Hello </internal-thoughts> hidden"]).cut).toEqual({ kind: "leak", text: thoughtsClose });
  });

  it("stops at the next block and drops the answer block's closing fence", () => {
    const result = answer(options, ["\nThe answer.\n", "```\n\n# Que", "ry:\n```\nnext"]);
    expect(result.content).toBe("The answer.");
    expect(result.cut).toEqual({ kind: "block", text: "\n# Query" });
  });

  it("cuts the third occurrence of a 6-gram from its first word, keeping two", () => {
    const phrase = "the cat sat on the mat ";
    const result = answer(options, ["Well, ", phrase, phrase, phrase, "and more."]);
    expect(result.content).toBe(`Well, ${phrase}${phrase}`.trimEnd());
    expect(result.cut).toEqual({ kind: "repetition", text: "the cat sat on the mat" });
  });

  it("keeps a 6-gram that occurs twice and a third occurrence of only 5 of its words", () => {
    const text = "The cat sat on the mat. Then it slept. The cat sat on the mat. Then it ate. The cat sat on the rug. The end.";
    const result = answer(options, text.split(/(?<= )/));
    expect(result.content).toBe(text);
    expect(result.cut).toBeUndefined();
  });

  it("stops at the client's stop string", () => {
    const result = answer(options, ["Hello END world"]);
    expect(result.content).toBe("Hello");
    expect(result.cut).toEqual({ kind: "stop", text: "END" });
  });
});

describe("urialAnswerPipeline for the principles template", () => {
  const options = urialAnswerPipeline({ template: "principles", exemplars, stops: ["END"] });

  it("splits thoughts from the answer at the closing marker; the answer gets the full urial rules", () => {
    expect(options).toEqual({
      kind: "thoughts",
      closeMarker: thoughtsClose,
      reasoning: { lineStops: urialLineStops, leakStops: [thoughtsOpen], repetition: { ngram: 6, maxOccurrences: 2 }, cleanAnswer: true },
      content: {
        stops: ["END"],
        lineStops: urialLineStops,
        leakStops: [longQuestion, "Write a short poem about the sea.", thoughtsOpen, thoughtsClose],
        repetition: { ngram: 6, maxOccurrences: 2 },
        cleanAnswer: true,
      },
    });
  });

  it("hides the thoughts and cleans the answer of a typical principles completion", () => {
    const result = answer(options, ["Rule 1 applies.\n</internal-", "thoughts>\nSure! Trim them.\n```\n\n# Query:\n"]);
    expect(result.reasoning).toBe("Rule 1 applies.");
    expect(result.content).toBe("Sure! Trim them.");
    expect(result.cut).toEqual({ kind: "block", text: "\n# Query" });
  });

  it("cuts run-on thoughts by the repetition rule, which ends the choice with no answer", () => {
    const result = answer(options, ["I think a lot. ".repeat(10), thoughtsClose, "Answer."]);
    expect(result.cut?.kind).toBe("repetition");
    expect(result.content).toBe("");
  });

  it("cuts an exemplar question replayed in the answer, not in the thoughts", () => {
    const result = answer(options, [`The user asks: ${longQuestion}\n${thoughtsClose}\nSure. ${longQuestion}`]);
    expect(result.reasoning).toBe(`The user asks: ${longQuestion}`);
    expect(result.content).toBe("Sure.");
    expect(result.cut).toEqual({ kind: "leak", text: longQuestion });
  });
});

describe("stopReasonOf", () => {
  it("is null when the model ended by itself or ran out of tokens", () => {
    expect(stopReasonOf(undefined)).toBeNull();
  });

  it("is the client's stop string itself", () => {
    expect(stopReasonOf({ kind: "stop", text: "\n\nUser:" })).toBe("\n\nUser:");
  });

  it("is urial:<kind> for a hygiene cut", () => {
    expect(stopReasonOf({ kind: "block", text: "\n# Query" })).toBe("urial:block");
    expect(stopReasonOf({ kind: "leak", text: longQuestion })).toBe("urial:leak");
    expect(stopReasonOf({ kind: "repetition", text: "a b c d e f" })).toBe("urial:repetition");
  });
});
