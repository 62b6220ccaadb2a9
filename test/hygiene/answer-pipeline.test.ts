/**
 * The answer pipeline: one channel for plain answers, two (thoughts, then the
 * answer) for principle-driven answers. The thoughts splitter must hold back
 * the closing marker however it is split across pieces, never let any of the
 * thoughts reach `content`, and end the choice when the thoughts are cut.
 */
import { describe, expect, it } from "vitest";
import { createAnswerPipeline, type AnswerPipeline, type PipelineEmission, type PipelineOptions } from "../../src/hygiene/answer-pipeline.js";
import { thoughtsClose, thoughtsOpen, urialLineStops } from "../../src/prompt/render-urial-prompt.js";

interface Run {
  /** Each push's emission, then finish()'s. */
  emissions: PipelineEmission<number>[];
  content: string;
  reasoning: string;
  contentEntries: number[];
  reasoningEntries: number[];
  pipeline: AnswerPipeline<number>;
}

/** Pushes each piece with its index as the entry, then finishes. */
function run(options: PipelineOptions, pieces: readonly string[]): Run {
  const pipeline = createAnswerPipeline<number>(options);
  const emissions = pieces.map((piece, index) => pipeline.push(piece, index));
  emissions.push(pipeline.finish());
  return {
    emissions,
    content: emissions.map((emission) => emission.content.text).join(""),
    reasoning: emissions.map((emission) => emission.reasoning.text).join(""),
    contentEntries: emissions.flatMap((emission) => emission.content.entries),
    reasoningEntries: emissions.flatMap((emission) => emission.reasoning.entries),
    pipeline,
  };
}

/** The principles pipeline as the server builds it, minus the exemplar leak stops. */
const thoughtsOptions = (stops: readonly string[] = []): PipelineOptions => ({
  kind: "thoughts",
  closeMarker: thoughtsClose,
  reasoning: { lineStops: urialLineStops, leakStops: [thoughtsOpen], cleanAnswer: true },
  content: { stops, lineStops: urialLineStops, leakStops: [thoughtsOpen, thoughtsClose], cleanAnswer: true },
});

const thoughts = "The user asks about cats. Rule 2 applies.";
const answer = "Cats sleep a lot because they hunt at dawn.";
/** What a model writes after the pre-filled `<internal-thoughts>\n`. */
const generated = `${thoughts}\n${thoughtsClose}\n${answer}\n\`\`\`\n\n# Query:\n\`\`\`\nnext`;

/** Every proper, non-empty prefix of the marker: none of them may reach `content`. */
const markerPieces = Array.from({ length: thoughtsClose.length - 1 }, (_, index) => thoughtsClose.slice(0, index + 1)).filter((piece) => piece.length > 1);

function expectNoThoughtsIn(content: string): void {
  expect(content).not.toContain("internal-thoughts");
  expect(content).not.toContain("Rule 2");
  expect(content).not.toContain("</");
  for (const piece of markerPieces) expect(content).not.toContain(piece);
}

describe("createAnswerPipeline plain", () => {
  it("passes text and entries to content and never emits reasoning", () => {
    const result = run({ kind: "plain", content: {} }, ["Hello", " ", "world"]);
    expect(result.content).toBe("Hello world");
    expect(result.contentEntries).toEqual([0, 1, 2]);
    for (const emission of result.emissions) expect(emission.reasoning).toEqual({ text: "", entries: [] });
  });

  it("reports the content channel's stop and cut reason", () => {
    const result = run({ kind: "plain", content: { stops: ["END"] } }, ["Hi E", "ND more"]);
    expect(result.content).toBe("Hi ");
    expect(result.pipeline.stopped).toBe(true);
    expect(result.pipeline.cutReason).toEqual({ kind: "stop", text: "END" });
  });

  it("is not stopped and has no cut reason when the text ends by itself", () => {
    const result = run({ kind: "plain", content: { stops: ["END"] } }, ["Hi"]);
    expect(result.pipeline.stopped).toBe(false);
    expect(result.pipeline.cutReason).toBeUndefined();
  });
});

describe("createAnswerPipeline thoughts", () => {
  it("splits the thoughts from the answer when everything arrives in one piece", () => {
    const result = run(thoughtsOptions(), [generated]);
    expect(result.reasoning).toBe(thoughts);
    expect(result.content).toBe(answer);
    expect(result.pipeline.cutReason).toEqual({ kind: "block", text: "\n# Query" });
  });

  it("holds back a marker split as '</inter' + 'nal-thou' + 'ghts>'", () => {
    const pipeline = createAnswerPipeline<number>(thoughtsOptions());
    const first = pipeline.push(`${thoughts}\n</inter`, 0);
    // Nothing of the marker is released anywhere while it is forming.
    expect(first.content.text).toBe("");
    expect(first.reasoning.text).not.toContain("<");
    const second = pipeline.push("nal-thou", 1);
    expect(second).toEqual({ content: { text: "", entries: [] }, reasoning: { text: "", entries: [] } });
    const third = pipeline.push("ghts>", 2);
    expect(third.content.text).toBe("");
    expect(first.reasoning.text + third.reasoning.text).toBe(thoughts);
    const fourth = pipeline.push(`\n${answer}`, 3);
    expect(fourth.reasoning.text).toBe("");
    const rest = pipeline.finish();
    expect(fourth.content.text + rest.content.text).toBe(answer);
    expect([...fourth.content.entries, ...rest.content.entries]).toEqual([3]);
  });

  it("hides the thoughts however the generated text is cut into two or three pieces", () => {
    // Exhaustive over every cut position around the marker: the marker may be
    // split anywhere, including inside '<', '/', '-' and '>'.
    const markerAt = generated.indexOf(thoughtsClose);
    const positions = Array.from({ length: thoughtsClose.length + 6 }, (_, offset) => markerAt - 3 + offset);
    for (const a of positions) {
      for (const b of positions.filter((position) => position > a)) {
        const pieces = [generated.slice(0, a), generated.slice(a, b), generated.slice(b)];
        const result = run(thoughtsOptions(), pieces);
        expect(result.content, JSON.stringify(pieces)).toBe(answer);
        expect(result.reasoning, JSON.stringify(pieces)).toBe(thoughts);
      }
    }
  });

  it("hides the thoughts when every character is its own piece, at every push", () => {
    const result = run(thoughtsOptions(), Array.from(generated));
    let contentSoFar = "";
    for (const emission of result.emissions) {
      contentSoFar += emission.content.text;
      expectNoThoughtsIn(contentSoFar);
    }
    expect(result.content).toBe(answer);
    expect(result.reasoning).toBe(thoughts);
    // The thoughts are never released before the marker is complete and recognised.
    const markerEnd = generated.indexOf(thoughtsClose) + thoughtsClose.length;
    const firstContent = result.emissions.findIndex((emission) => emission.content.text.length > 0);
    expect(firstContent).toBeGreaterThan(markerEnd - 1);
  });

  it("releases a partial marker that turns out to be other text to the reasoning", () => {
    const result = run(thoughtsOptions(), ["Think </inter", "esting> more ", thoughtsClose, "Answer."]);
    expect(result.reasoning).toBe("Think </interesting> more");
    expect(result.content).toBe("Answer.");
  });

  it("gives an empty answer when the thoughts are never closed, however the text ends", () => {
    for (const ending of ["", "</inter", "\n", "</internal-thoughts"]) {
      const result = run(thoughtsOptions(), [`${thoughts} and then`, " the answer right here.", ending]);
      expect(result.content, ending).toBe("");
      expect(result.contentEntries, ending).toEqual([]);
      expect(result.reasoning.startsWith(`${thoughts} and then the answer right here.`), ending).toBe(true);
      expect(result.pipeline.stopped, ending).toBe(false);
    }
  });

  it("ends the choice when the thoughts run into the next block, ignoring a later marker and answer", () => {
    const pipeline = createAnswerPipeline<number>(thoughtsOptions());
    const first = pipeline.push(`${thoughts}\n\`\`\`\n\n# Query:\nmore`, 0);
    expect(pipeline.stopped).toBe(true);
    expect(pipeline.cutReason).toEqual({ kind: "block", text: "\n# Query" });
    expect(first.content.text).toBe("");
    const later = pipeline.push(`${thoughtsClose}\n${answer}`, 1);
    expect(later).toEqual({ content: { text: "", entries: [] }, reasoning: { text: "", entries: [] } });
    const rest = pipeline.finish();
    expect(rest.content.text).toBe("");
    expect(first.reasoning.text + rest.reasoning.text).toBe(thoughts);
  });

  it("ends the choice when a block header arrives in the same piece as the marker", () => {
    const result = run(thoughtsOptions(), [`${thoughts}\n# Answer:\nx ${thoughtsClose}\n${answer}`]);
    expect(result.pipeline.cutReason).toEqual({ kind: "block", text: "\n# Answer" });
    expect(result.content).toBe("");
    expect(result.reasoning).toBe(thoughts);
  });

  it("cuts thoughts that open a second thoughts section as a leak", () => {
    const result = run(thoughtsOptions(), ["I think ", "<internal-", "thoughts> again", thoughtsClose, answer]);
    expect(result.pipeline.cutReason).toEqual({ kind: "leak", text: thoughtsOpen });
    expect(result.content).toBe("");
    expect(result.reasoning).toBe("I think");
  });

  it("applies the content rules to the answer: client stop, cleaning, cut reason", () => {
    const result = run(thoughtsOptions(["STOP"]), [`${thoughts}\n${thoughtsClose}\n\n  Sure, `, "here it is STO", "P and more"]);
    expect(result.content).toBe("Sure, here it is");
    expect(result.pipeline.cutReason).toEqual({ kind: "stop", text: "STOP" });
  });

  it("does not apply the client's stop strings to the thoughts", () => {
    const result = run(thoughtsOptions(["STOP"]), ["Do not STOP thinking.", thoughtsClose, "Answer."]);
    expect(result.reasoning).toBe("Do not STOP thinking.");
    expect(result.content).toBe("Answer.");
    expect(result.pipeline.stopped).toBe(false);
  });

  it("cuts a second closing marker in the answer as a leak", () => {
    const result = run(thoughtsOptions(), [thoughts, thoughtsClose, "Answer one.", thoughtsClose, "Answer two."]);
    expect(result.content).toBe("Answer one.");
    expect(result.pipeline.cutReason).toEqual({ kind: "leak", text: thoughtsClose });
  });

  it("puts only the entries of pieces wholly in the answer on content", () => {
    // 0,1: thoughts; 2: the marker's end and the answer's start in one piece; 3,4: answer.
    const result = run(thoughtsOptions(), ["Think ", "hard </internal-th", "oughts>\nSure", "! Done", "."]);
    expect(result.content).toBe("Sure! Done.");
    // The straddling piece carries marker text, so its entry (a logprob token
    // "oughts>\nSure") must not reach content; no thoughts entry does either.
    expect(result.contentEntries).toEqual([3, 4]);
    expect(result.reasoningEntries).toEqual([0, 1]);
  });

  it("ignores pushes and a second finish() after finish()", () => {
    const pipeline = createAnswerPipeline<number>(thoughtsOptions());
    const pushed = pipeline.push(`${thoughts}${thoughtsClose}Answer `, 0);
    expect(pipeline.stopped).toBe(false);
    // The trailing space is held (it may precede more text), then dropped at the end.
    expect(pushed.content.text).toBe("Answer");
    expect(pipeline.finish().content.text).toBe("");
    expect(pipeline.push(" more", 1).content.text).toBe("");
    expect(pipeline.finish()).toEqual({ content: { text: "", entries: [] }, reasoning: { text: "", entries: [] } });
  });

  it("works with any marker the options name", () => {
    const result = run({ kind: "thoughts", closeMarker: "[/T]", reasoning: {}, content: {} }, ["abc[", "/", "T", "]def"]);
    expect(result.reasoning).toBe("abc");
    expect(result.content).toBe("def");
  });
});
