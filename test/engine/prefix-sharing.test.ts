/**
 * One prefix evaluation per set: requests of one set that arrive together on
 * a cold engine evaluate the prefix once (the others wait and copy it), a set
 * warm on one sequence reaches a fresh one by copy, and the answers are the
 * same as with every sequence evaluating its own prefix. The waiting rules
 * are tested on fake sequences first.
 */
import type { LlamaContextSequence } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import type { Engine, GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { PrefixSharing } from "../../src/engine/prefix-sharing.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { greedy, modelSuiteTitle, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

/** A stand-in sequence: just the tokens it holds. */
function fakeSequence(tokens: number[] = []) {
  return {
    tokens,
    disposed: false,
    get nextTokenIndex() {
      return this.tokens.length;
    },
    compareContextTokens(other: readonly number[]) {
      let index = 0;
      while (index < this.tokens.length && this.tokens[index] === other[index]) index += 1;
      return { firstDifferentIndex: index };
    },
  };
}
type Fake = ReturnType<typeof fakeSequence>;
const asSequence = (fake: Fake) => fake as unknown as LlamaContextSequence;

describe("PrefixSharing (fake sequences)", () => {
  const prefix = [1, 2, 3, 4];
  const copies: string[] = [];
  const copy = async (target: LlamaContextSequence, source: LlamaContextSequence, tokens: readonly number[]) => {
    (target as unknown as Fake).tokens = [...tokens];
    copies.push(`${(source as unknown as Fake).tokens.length}`);
    return true;
  };

  it("lets one sequence produce a prefix while the others wait, then copy it", async () => {
    const [a, b, c] = [fakeSequence(), fakeSequence(), fakeSequence()];
    const sharing = new PrefixSharing([a, b, c].map(asSequence), copy);
    const first = await sharing.obtain(asSequence(a), prefix);
    expect(first.kind).toBe("produce");
    let settled = 0;
    const waiting = [sharing.obtain(asSequence(b), prefix), sharing.obtain(asSequence(c), prefix)].map((grant) => grant.then((value) => ((settled += 1), value)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(0);
    expect(sharing.producing).toBe(1);
    a.tokens = [...prefix, 9, 9];
    if (first.kind === "produce") first.done();
    expect((await Promise.all(waiting)).map((grant) => grant.kind)).toEqual(["copied", "copied"]);
    expect(b.tokens).toEqual(prefix);
    expect(sharing.producing).toBe(0);
  });

  it("hands production to a waiter when the producer ends without the prefix", async () => {
    const [a, b] = [fakeSequence(), fakeSequence()];
    const sharing = new PrefixSharing([a, b].map(asSequence), copy);
    const first = await sharing.obtain(asSequence(a), prefix);
    const second = sharing.obtain(asSequence(b), prefix);
    if (first.kind === "produce") first.done(); // aborted: a never got the prefix
    expect((await second).kind).toBe("produce");
  });

  it("stops waiting when the request is aborted", async () => {
    const [a, b] = [fakeSequence(), fakeSequence()];
    const sharing = new PrefixSharing([a, b].map(asSequence), copy);
    await sharing.obtain(asSequence(a), prefix);
    const controller = new AbortController();
    const waiting = sharing.obtain(asSequence(b), prefix, controller.signal);
    controller.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
  });

  it("produces itself when the holder's copy fails", async () => {
    const [a, b] = [fakeSequence([...prefix]), fakeSequence()];
    const sharing = new PrefixSharing([a, b].map(asSequence), async () => false);
    expect((await sharing.obtain(asSequence(b), prefix)).kind).toBe("produce");
    expect(sharing.producing).toBe(0);
  });
});

const exemplars = [
  { query: "Tell me about a cat.", answer: "Sure! Once upon a time, there was a cat named Tom. Tom liked to play. The end." },
  { query: "Tell me about a dog.", answer: "Sure! Once upon a time, there was a dog named Max. He liked to run. The end." },
];

interface Outcome {
  text: string;
  cached: number;
  copied: number;
  reusable: number;
}

async function answer(engine: Engine, query: string, hold?: (ready: () => void) => Promise<void>): Promise<Outcome> {
  const rendered = renderUrialPrompt({ system: "Answer kindly.", exemplars, history: [], query });
  const prompt = engine.tokenize(rendered.text);
  const prefixTokens = engine.tokenize(rendered.text.slice(0, rendered.prefixLength));
  let reusable = 0;
  while (reusable < prefixTokens.length && prefixTokens[reusable] === prompt[reusable]) reusable += 1;
  const slot = await engine.acquire(prompt);
  const outcome: Outcome = { text: "", cached: 0, copied: 0, reusable };
  try {
    for await (const event of slot.generate(prompt, { maxTokens: 16, sampling: greedy, reusablePrefix: reusable }) as AsyncIterable<GenerationEvent>) {
      if (event.type === "prefilled") {
        outcome.cached = event.cachedTokens;
        outcome.copied = event.copiedTokens ?? 0;
      } else if (event.type === "token") outcome.text += event.token.text;
    }
    if (hold) await new Promise<void>((resolve) => void hold(resolve));
  } finally {
    slot.release();
  }
  return outcome;
}

describe.skipIf(!testModelExists)(modelSuiteTitle("one prefix evaluation per set (real engine, parallel 4)"), () => {
  const engines: Engine[] = [];
  const start = async (sharePrefixes: boolean) => {
    const engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 4, maxQueue: 8, sharePrefixes });
    engines.push(engine);
    return engine;
  };
  afterAll(async () => {
    for (const engine of engines) await engine.dispose();
  });
  const queries = ["Tell me about a bird.", "Tell me about a fish.", "Tell me about a frog.", "Tell me about a bear."];

  it("four requests of one set on a cold engine evaluate the prefix once and answer as if each had evaluated it", async () => {
    const shared = await start(true);
    const outcomes = await Promise.all(queries.map((query) => answer(shared, query)));
    const reusable = outcomes[0]!.reusable;
    expect(reusable).toBeGreaterThanOrEqual(32);
    // One sequence evaluated the prefix; the three others copied all of it.
    expect(outcomes.filter((outcome) => outcome.copied === 0 && outcome.cached === 0)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.copied === reusable && outcome.cached === reusable)).toHaveLength(3);

    const separate = await start(false);
    const reference = await Promise.all(queries.map((query) => answer(separate, query)));
    expect(reference.every((outcome) => outcome.copied === 0 && outcome.cached === 0)).toBe(true);
    expect(outcomes.map((outcome) => outcome.text)).toEqual(reference.map((outcome) => outcome.text));
    expect(outcomes.every((outcome) => outcome.text.length > 0)).toBe(true);
  });

  it("a set warm on a busy sequence reaches a fresh sequence by copy", async () => {
    const engine = await start(true);
    const warm = await answer(engine, "Tell me about a cow.");
    expect(warm.copied).toBe(0);
    // Hold the warm sequence (it is the one the pool picks for this set), then ask again.
    let releaseHeld!: () => void;
    const held = answer(engine, "Tell me about a hen.", async (ready) => {
      releaseHeld = ready;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    while (releaseHeld === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    const fresh = await answer(engine, "Tell me about a pig.");
    releaseHeld();
    const heldOutcome = await held;
    expect(heldOutcome.cached).toBeGreaterThanOrEqual(heldOutcome.reusable);
    expect(fresh.copied).toBe(fresh.reusable);
    expect(fresh.cached).toBe(fresh.reusable);
  });
});
