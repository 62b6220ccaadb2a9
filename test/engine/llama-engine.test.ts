/**
 * The real node-llama-cpp engine on stories260K (a 1 MB base model): greedy
 * output, token texts, prefix reuse, logprobs, JSON grammars, abort, the
 * sequence pool and start-up errors. Skipped, visibly, without the model.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueFullError, type Engine, type EngineSlot, type GenerateOptions, type GeneratedToken, type GenerationEvent } from "../../src/engine/engine.js";
import { startLlamaEngine } from "../../src/engine/llama-engine.js";
import { ModelLoadError } from "../../src/models/model-file-check.js";
import { greedy, modelSuiteTitle, onceUponATimePrefix, testEngineSettings, testModelExists, testModelPath } from "../support/test-model.js";

interface Run {
  prefilled: Extract<GenerationEvent, { type: "prefilled" }> | undefined;
  tokens: GeneratedToken[];
  end: Extract<GenerationEvent, { type: "end" }> | undefined;
  text: string;
}

/** Runs one generation to its end and collects its events. */
async function collect(slot: EngineSlot, prompt: readonly number[], options: Partial<GenerateOptions> = {}, onToken?: (count: number) => void): Promise<Run> {
  const run: Run = { prefilled: undefined, tokens: [], end: undefined, text: "" };
  for await (const event of slot.generate(prompt, { maxTokens: 40, sampling: greedy, ...options })) {
    if (event.type === "prefilled") run.prefilled = event;
    else if (event.type === "token") {
      run.tokens.push(event.token);
      run.text += event.token.text;
      onToken?.(run.tokens.length);
    } else run.end = event;
  }
  return run;
}

/** Acquires a slot, runs one generation, releases the slot. */
async function generateOnce(engine: Engine, text: string, options: Partial<GenerateOptions> = {}): Promise<Run> {
  const prompt = engine.tokenize(text);
  const slot = await engine.acquire(prompt);
  try {
    return await collect(slot, prompt, options);
  } finally {
    slot.release();
  }
}

describe.skipIf(!testModelExists)(modelSuiteTitle("startLlamaEngine on stories260K (parallel 2)"), () => {
  let engine: Engine;
  /** The same model loaded directly, to compare with its own detokenization. */
  let model: LlamaModel;

  beforeAll(async () => {
    engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 2, maxQueue: 2 });
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1 });
    model = await llama.loadModel({ modelPath: testModelPath });
  });

  afterAll(async () => {
    await model?.dispose();
    await engine?.dispose();
  });

  it("reports what it runs", () => {
    expect(engine.info).toMatchObject({
      modelPath: testModelPath,
      contextSize: 512,
      trainContextSize: 2048,
      threads: 1,
      parallel: 2,
      maxQueue: 2,
      gpu: false,
      gpuLayers: 0,
      hasChatTemplate: false,
    });
    expect(engine.info.modelName.length).toBeGreaterThan(0);
    expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });

  it("tokenizes like llama.cpp with BOS first (the README's check)", () => {
    expect(engine.tokenize("The quick brown fox jumps over the lazy dog.")).toEqual([
      1, 291, 410, 456, 425, 417, 340, 268, 420, 327, 416, 272, 414, 444, 410, 449, 425, 423, 427, 419, 334, 330, 265, 278, 412, 451, 422, 400, 428, 426,
    ]);
  });

  it("continues 'Once upon a time' greedily as the README's sample does", async () => {
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 40 });
    expect(run.text.startsWith(onceUponATimePrefix), run.text).toBe(true);
    expect(run.prefilled?.promptTokens).toBe(5);
    expect(run.end).toEqual({ type: "end", reason: "length", completionTokens: 40 });
    expect(run.tokens).toHaveLength(40);
  });

  it("yields token texts that concatenate to the model's own detokenization", async () => {
    const prompt = engine.tokenize("The little dog was sad because");
    const slot = await engine.acquire(prompt);
    const run = await collect(slot, prompt, { maxTokens: 60 }).finally(() => slot.release());
    const ids = run.tokens.map((token) => token.id);
    expect(ids.every((id) => id >= 0)).toBe(true);
    expect(run.text).toBe(model.detokenize(ids as Token[], false, prompt as Token[]));
    // The text starts with the space that belongs to the first word.
    expect(run.text.startsWith(" ")).toBe(true);
    // Bytes are only computed when logprobs are asked for (no per-token allocation otherwise).
    for (const token of run.tokens) expect(token.bytes).toEqual([]);
    const again = await engine.acquire(prompt);
    const withLogprobs = await collect(again, prompt, { maxTokens: 20, topLogprobs: 0 }).finally(() => again.release());
    for (const token of withLogprobs.tokens) expect(Buffer.from(token.bytes).toString("utf8")).toBe(token.text);
  });

  it("stops at maxTokens with reason 'length' and exactly that many tokens", async () => {
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 7 });
    expect(run.tokens).toHaveLength(7);
    expect(run.end).toEqual({ type: "end", reason: "length", completionTokens: 7 });
  });

  it("caps the answer at the room left in the context instead of shifting it", async () => {
    const long = engine.tokenize("Once upon a time, there was a little girl named Lily. ".repeat(40)).slice(0, 500);
    expect(long).toHaveLength(500);
    const slot = await engine.acquire(long);
    const run = await collect(slot, long, { maxTokens: 100 }).finally(() => slot.release());
    expect(run.tokens).toHaveLength(512 - 500);
    expect(run.end?.reason).toBe("length");
  });

  it("rejects a prompt that does not fit the context", async () => {
    const tooLong = engine.tokenize("Once upon a time, there was a little girl named Lily. ".repeat(60));
    expect(tooLong.length).toBeGreaterThan(512);
    const slot = await engine.acquire(tooLong);
    await expect(collect(slot, tooLong)).rejects.toThrow(/512/);
    slot.release();
  });

  it("reuses the prefix on a second generation on the same slot, with the same text", async () => {
    const prompt = engine.tokenize("The little dog was sad because he wanted to play");
    const slot = await engine.acquire(prompt);
    try {
      const first = await collect(slot, prompt, { maxTokens: 20 });
      const second = await collect(slot, prompt, { maxTokens: 20 });
      expect(first.prefilled!.promptTokens).toBe(prompt.length);
      expect(second.prefilled).toEqual({ type: "prefilled", promptTokens: prompt.length, cachedTokens: prompt.length - 1, restoredTokens: 0, copiedTokens: 0 });
      expect(second.text).toBe(first.text);
      expect(second.tokens.map((token) => token.id)).toEqual(first.tokens.map((token) => token.id));

      // A prompt sharing only the start reuses exactly that start.
      const other = engine.tokenize("The little dog was happy");
      const shared = prompt.findIndex((token, index) => token !== other[index]);
      const third = await collect(slot, other, { maxTokens: 5 });
      expect(third.prefilled?.cachedTokens).toBe(shared);
    } finally {
      slot.release();
    }
  });

  it("reports top-3 logprobs, best first, with the greedy choice on top", async () => {
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 12, topLogprobs: 3 });
    expect(run.tokens).toHaveLength(12);
    for (const token of run.tokens) {
      expect(token.top).toHaveLength(3);
      const logprobs = token.top.map((choice) => choice.logprob);
      expect([...logprobs].sort((a, b) => b - a)).toEqual(logprobs);
      expect(logprobs.every((logprob) => logprob <= 0 && logprob > -9999)).toBe(true);
      expect(logprobs.reduce((sum, logprob) => sum + Math.exp(logprob), 0)).toBeLessThanOrEqual(1 + 1e-6);
      expect(token.logprob).toBe(token.top[0]!.logprob);
      expect(token.top[0]!.text).toBe(token.text);
      expect(new Set(token.top.map((choice) => choice.text)).size).toBe(3);
    }
    // Same text as without logprobs.
    const plain = await generateOnce(engine, "Once upon a time", { maxTokens: 12 });
    expect(run.text).toBe(plain.text);
  });

  it("reports the chosen token's logprob alone with topLogprobs 0, and nothing without it", async () => {
    const zero = await generateOnce(engine, "Once upon a time", { maxTokens: 4, topLogprobs: 0 });
    for (const token of zero.tokens) {
      expect(token.top).toEqual([]);
      expect(token.logprob).toBeLessThan(0);
    }
    const none = await generateOnce(engine, "Once upon a time", { maxTokens: 4 });
    for (const token of none.tokens) expect(token.top).toEqual([]);
  });

  it("follows a JSON schema constraint to parseable JSON with the required keys", async () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, mood: { enum: ["happy", "sad"] }, age: { type: "integer" } },
      required: ["name", "mood", "age"],
      additionalProperties: false,
    };
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 150, constraint: { type: "json_schema", schema } });
    expect(run.end?.reason, run.text).toBe("eos");
    const parsed = JSON.parse(run.text) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["age", "mood", "name"]);
    expect(typeof parsed.name).toBe("string");
    expect(["happy", "sad"]).toContain(parsed.mood);
    expect(Number.isInteger(parsed.age)).toBe(true);
  });

  it("maps anyOf so that a non-null branch can be produced", async () => {
    const schema = { type: "object", properties: { size: { anyOf: [{ enum: ["big", "small"] }, { type: "integer" }] } }, required: ["size"] };
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 80, constraint: { type: "json_schema", schema } });
    const parsed = JSON.parse(run.text) as { size: unknown };
    expect(parsed.size === "big" || parsed.size === "small" || Number.isInteger(parsed.size), run.text).toBe(true);
  });

  it("follows a json_object constraint (the tiny model never closes free-form JSON, so only its start is checked)", async () => {
    const plain = await generateOnce(engine, "Once upon a time", { maxTokens: 20 });
    expect(plain.text.trimStart().startsWith("{")).toBe(false);
    const run = await generateOnce(engine, "Once upon a time", { maxTokens: 20, constraint: { type: "json_object" } });
    expect(run.text, run.text).toMatch(/^\s*\{\s*("|\})/);
    expect(run.tokens).toHaveLength(20);
  });

  it("generates on two sequences at once, each with its own greedy text", async () => {
    const prompts = ["Once upon a time", "The little dog was sad because"];
    const serial = [];
    for (const text of prompts) serial.push(await generateOnce(engine, text, { maxTokens: 60 }));

    const order: number[] = [];
    const slots = await Promise.all(prompts.map((text) => engine.acquire(engine.tokenize(text))));
    expect(engine.status().busySequences).toBe(2);
    const runs = await Promise.all(prompts.map((text, index) => collect(slots[index]!, engine.tokenize(text), { maxTokens: 60 }, () => order.push(index)).finally(() => slots[index]!.release())));
    expect(runs.map((run) => run.text)).toEqual(serial.map((run) => run.text));
    // They overlapped: the second produced a token before the first had finished.
    expect(order.indexOf(1)).toBeLessThan(order.lastIndexOf(0));
    expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });

  it("queues a third request until a sequence is released", async () => {
    const prompt = engine.tokenize("Once upon a time");
    const [a, b] = await Promise.all([engine.acquire(prompt), engine.acquire(prompt)]);
    let third: EngineSlot | undefined;
    const waiting = engine.acquire(prompt).then((slot) => (third = slot));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBeUndefined();
    expect(engine.status()).toMatchObject({ busySequences: 2, queued: 1 });
    a!.release();
    await waiting;
    expect(engine.status()).toMatchObject({ busySequences: 2, queued: 0 });
    third!.release();
    b!.release();
    expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("startLlamaEngine on stories260K: prefix affinity on a fresh engine (parallel 2)"), () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 2, maxQueue: 0 });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  it("keeps two alternating prompts warm on two sequences instead of evicting one for the other", async () => {
    // Every prompt shares BOS with a used sequence; that alone must not make a
    // prompt take the other prompt's warm sequence while an empty one is free.
    const once = "Once upon a time";
    const lily = "Lily and Ben went to the park to play";
    const cached = [];
    for (const text of [once, lily, once, lily, once]) cached.push((await generateOnce(engine, text, { maxTokens: 5 })).prefilled?.cachedTokens);
    const onceTokens = engine.tokenize(once).length;
    const lilyTokens = engine.tokenize(lily).length;
    expect(cached).toEqual([0, 0, onceTokens - 1, lilyTokens - 1, onceTokens - 1]);
  });
});

describe.skipIf(!testModelExists)(modelSuiteTitle("startLlamaEngine on stories260K (parallel 1, maxQueue 0)"), () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startLlamaEngine({ modelPath: testModelPath, ...testEngineSettings, parallel: 1, maxQueue: 0 });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  it("throws QueueFullError at once when the only sequence is busy and no one may wait", async () => {
    const prompt = engine.tokenize("Once upon a time");
    const slot = await engine.acquire(prompt);
    await expect(engine.acquire(prompt)).rejects.toBeInstanceOf(QueueFullError);
    expect(engine.status()).toMatchObject({ busySequences: 1, queued: 0 });
    slot.release();
    slot.release(); // idempotent: must not free a second, non-existent sequence
    const again = await engine.acquire(prompt);
    await expect(engine.acquire(prompt)).rejects.toBeInstanceOf(QueueFullError);
    again.release();
  });

  it("stops a generation on abort, frees the slot, and the slot then generates correctly", async () => {
    const prompt = engine.tokenize("Once upon a time");
    const controller = new AbortController();
    const slot = await engine.acquire(prompt);
    let seen = 0;
    await expect(
      collect(slot, prompt, { maxTokens: 400, signal: controller.signal }, (count) => {
        seen = count;
        if (count === 5) controller.abort(new Error("stop now"));
      }),
    ).rejects.toThrow("stop now");
    expect(seen).toBe(5);
    slot.release();

    // With maxQueue 0 this throws QueueFullError unless the sequence was freed.
    const reused = await engine.acquire(prompt);
    try {
      const run = await collect(reused, prompt, { maxTokens: 10 });
      expect(run.text.startsWith(", there was a little girl")).toBe(true);
      expect(run.prefilled?.cachedTokens).toBe(prompt.length - 1);
    } finally {
      reused.release();
    }
  });

  it("refuses to start a generation whose signal is already aborted", async () => {
    const prompt = engine.tokenize("Once upon a time");
    const slot = await engine.acquire(prompt);
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    let events = 0;
    await expect(
      (async () => {
        for await (const _event of slot.generate(prompt, { maxTokens: 5, sampling: greedy, signal: controller.signal })) events += 1;
      })(),
    ).rejects.toThrow("gone");
    expect(events).toBe(0);
    slot.release();
    expect(engine.status().busySequences).toBe(0);
  });

  it("rejects acquire with an already aborted signal and leaves the pool untouched", async () => {
    const controller = new AbortController();
    controller.abort(new Error("client left"));
    await expect(engine.acquire(engine.tokenize("Hi"), controller.signal)).rejects.toThrow("client left");
    expect(engine.status()).toMatchObject({ busySequences: 0, queued: 0 });
  });

  it("fails loudly after dispose", async () => {
    await engine.dispose();
    expect(() => engine.tokenize("Once")).toThrow(/disposed/);
    await expect(engine.acquire([1])).rejects.toThrow(/disposed/);
    await engine.dispose(); // idempotent
  });
});

describe("startLlamaEngine start-up errors", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "urial-engine-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadError(modelPath: string, contextSize = 512): Promise<ModelLoadError> {
    const error: unknown = await startLlamaEngine({ modelPath, threads: 1, gpu: false, contextSize, parallel: 1, maxQueue: 0 }).then(
      async (engine) => {
        await engine.dispose();
        throw new Error("the engine started");
      },
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as ModelLoadError).message;
    expect(message.includes("\n"), message).toBe(false);
    expect(message.startsWith(`${modelPath}: `), message).toBe(true);
    return error as ModelLoadError;
  }

  it("names a missing file", async () => {
    const missing = join(dir, "nope.gguf");
    expect((await loadError(missing)).message).toBe(`${missing}: no such file`);
  });

  it("rejects a file that is not GGUF", async () => {
    const text = join(dir, "notes.gguf");
    await writeFile(text, "this is a text file, not a model; ".repeat(10));
    expect((await loadError(text)).message).toMatch(/not a GGUF model/);
  });

  it("rejects a file with the GGUF magic but a broken body", async () => {
    const broken = join(dir, "broken.gguf");
    await writeFile(broken, Buffer.concat([Buffer.from("GGUF"), Buffer.from([3, 0, 0, 0]), Buffer.alloc(40, 0xff)]));
    expect((await loadError(broken)).message).toMatch(/GGUF|model/);
  });

  it("rejects a directory", async () => {
    expect((await loadError(dir)).message).toBe(`${dir}: is not a file`);
  });

  it.skipIf(!testModelExists)(modelSuiteTitle("rejects a context size of 99999 tokens, naming the file and the limits"), async () => {
    const message = (await loadError(testModelPath, 99999)).message;
    expect(message).toContain("99999");
    expect(message).toContain("2048");
  });
});
