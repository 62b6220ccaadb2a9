import { describe, expect, it } from "vitest";
import { visibleAnswerText } from "../../src/hygiene/visible-answer-text.js";

describe("visibleAnswerText", () => {
  it("drops the template's leading space and cuts at the first stop string", () => {
    expect(visibleAnswerText(" Sure. END more", ["END", "more"], false)).toEqual({ text: "Sure. ", stopped: true });
    expect(visibleAnswerText(" Sure.", [], true)).toEqual({ text: "Sure.", stopped: false });
  });

  it("holds back only a tail that could begin a stop string, and half-decoded characters", () => {
    expect(visibleAnswerText("Hello EN", ["END"], false)).toEqual({ text: "Hello ", stopped: false });
    expect(visibleAnswerText("Hello EX", ["END"], false)).toEqual({ text: "Hello EX", stopped: false });
    expect(visibleAnswerText("Caf\uFFFD", [], false)).toEqual({ text: "Caf", stopped: false });
    expect(visibleAnswerText("Hello EN", ["END"], true)).toEqual({ text: "Hello EN", stopped: false });
  });

  it("only ever grows as the answer grows", () => {
    const answer = " One, two; three END four";
    let previous = "";
    for (let end = 0; end <= answer.length; end += 1) {
      const { text } = visibleAnswerText(answer.slice(0, end), ["END", "; t"], false);
      expect(text.startsWith(previous), `at ${end}`).toBe(true);
      previous = text;
    }
    expect(previous).toBe("One, two");
  });
});
