import { describe, expect, it } from "vitest";
import { analysePrompt, baseLanes, type ShiftOptions } from "../../src/shift/analyse-prompt.js";
import { klDivergence } from "../../src/shift/kl-divergence.js";
import { renderBaseContexts } from "../../src/shift/render-base-contexts.js";
import { promptShiftSchema } from "../../src/shift/shift-schema.js";
import { createFakeScoringModel, fakeEos } from "./support/fake-scoring-model.js";

const exemplarSet = {
  systemPrompt: "# Instruction\n\nAnswer kindly.",
  exemplars: [{ id: "one", query: "What is rain?", answer: "Rain is water falling from clouds." }],
};
const options: ShiftOptions = { topK: 5, maxTokens: 40, temperature: 0, exemplarSet };

/** Rank of `token` in a distribution, computed the slow, obvious way. */
function rankIn(distribution: Float32Array, token: number): number {
  return 1 + [...distribution].filter((p) => p > distribution[token]!).length;
}

describe("analysePrompt", () => {
  it("scores every position against the models' own distributions", async () => {
    const base = createFakeScoringModel({ seed: 11 });
    const chat = createFakeScoringModel({ seed: 22, lanes: 1, eosAfter: 25 });
    const result = await analysePrompt({ base, chat }, { id: "q", query: "Tell me about snow." }, options);

    expect(promptShiftSchema.safeParse(result).success).toBe(true);
    expect(result.answer).toMatchObject({ source: "generated", stopReason: "eos", fullTokens: 26, scoredTokens: 26, truncated: false });
    expect(result.positions.at(-1)).toMatchObject({ tokenId: fakeEos, special: true, text: "</s>" });

    const chatPrompt = chat.chatPrompt("Tell me about snow.").tokens;
    const zeroShot = base.tokenize(renderBaseContexts(exemplarSet, "Tell me about snow.").zeroShot);
    const answer = result.positions.map((position) => position.tokenId);
    result.positions.forEach((position, index) => {
      const chatDistribution = chat.distributionAfter(index === 0 ? chatPrompt.at(-1)! : answer[index - 1]!, index);
      const baseDistribution = base.distributionAfter(index === 0 ? zeroShot.at(-1)! : answer[index - 1]!);
      expect(position.position).toBe(index + 1);
      // Greedy answers are the chat model's top choice.
      if (!position.special) expect(position.chat.rank).toBe(1);
      expect(position.zeroShot.rank).toBe(rankIn(baseDistribution, position.tokenId));
      expect(position.zeroShot.probability).toBeCloseTo(baseDistribution[position.tokenId]!, 6);
      expect(position.zeroShot.kl).toBeCloseTo(klDivergence(chatDistribution, baseDistribution), 9);
      expect(position.zeroShot.top).toHaveLength(5);
      expect(position.zeroShot.top[0]!.probability).toBeCloseTo(Math.max(...baseDistribution), 6);
    });
    expect(result.summary.zeroShot.positions).toBe(26);
  });

  it("finds no shift when the base model is the chat model read in the same layout", async () => {
    // Same weights; the bigram fake only looks at the previous token, so after
    // position 1 both contexts are the same.
    const base = createFakeScoringModel({ seed: 5 });
    const chat = createFakeScoringModel({ seed: 5, lanes: 1 });
    const result = await analysePrompt({ base, chat }, { id: "q", query: "Hi" }, options);
    for (const position of result.positions.slice(1)) {
      expect(position.zeroShot).toMatchObject({ rank: 1, category: "unshifted", kl: 0 });
      expect(position.urial).toMatchObject({ rank: 1, category: "unshifted", kl: 0 });
    }
  });

  it("evaluates each context on its own lane, so the URIAL prefix stays cached across queries", async () => {
    const base = createFakeScoringModel({ seed: 1 });
    const chat = createFakeScoringModel({ seed: 2, lanes: 1 });
    await analysePrompt({ base, chat }, { id: "a", query: "First question?" }, options);
    await analysePrompt({ base, chat }, { id: "b", query: "Second one?" }, options);
    expect(base.calls.map((call) => call.lane)).toEqual([baseLanes.zeroShot, baseLanes.urial, baseLanes.zeroShot, baseLanes.urial]);
    const first = base.tokenize(renderBaseContexts(exemplarSet, "First question?").urial);
    const second = base.tokenize(renderBaseContexts(exemplarSet, "Second one?").urial);
    let shared = 0;
    while (first[shared] === second[shared]) shared += 1;
    // Everything the two URIAL contexts share (system prompt, exemplars, block header) is reused.
    expect(shared).toBeGreaterThan(100);
    expect(base.calls[3]!.cachedTokens).toBe(shared);
    expect(base.calls[1]!.cachedTokens).toBe(0);
    expect(chat.calls).toHaveLength(2);
  });

  it("scores a given answer without generating one", async () => {
    const base = createFakeScoringModel({ seed: 1 });
    const chat = createFakeScoringModel({ seed: 2, lanes: 1 });
    const result = await analysePrompt({ base, chat }, { id: "a", query: "Q?", answer: "Sure!" }, options);
    expect(result.answer).toMatchObject({ source: "given", stopReason: "given", fullTokens: 5, scoredTokens: 5 });
    expect(result.positions.map((position) => position.tokenId)).toEqual(chat.tokenizeContinuation("Sure!"));
  });

  it("cuts an answer that does not fit a context, and marks it", async () => {
    const base = createFakeScoringModel({ seed: 1, contextSize: 220 });
    const chat = createFakeScoringModel({ seed: 2, lanes: 1 });
    const result = await analysePrompt({ base, chat }, { id: "a", query: "Q?" }, { ...options, maxTokens: 200 });
    const urialTokens = base.tokenize(renderBaseContexts(exemplarSet, "Q?").urial).length;
    expect(result.answer.truncated).toBe(true);
    expect(result.answer.fullTokens).toBe(200);
    expect(result.positions).toHaveLength(220 - urialTokens + 1);
    expect(result.positions.length).toBeGreaterThan(10);
    expect(result.answer.scoredTokens).toBe(result.positions.length);
  });

  it("does not crash on a query longer than every context: no positions, marked as cut", async () => {
    const base = createFakeScoringModel({ seed: 1, contextSize: 64 });
    const chat = createFakeScoringModel({ seed: 2, lanes: 1, contextSize: 64 });
    const result = await analysePrompt({ base, chat }, { id: "long", query: "x".repeat(200) }, options);
    expect(result.positions).toEqual([]);
    expect(result.answer).toMatchObject({ truncated: true, scoredTokens: 0 });
    expect(result.summary.zeroShot.shiftedShare).toBeNull();
  });
});
