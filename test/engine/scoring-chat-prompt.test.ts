/**
 * Chat prompts and answers on the real stories260K chat twin: its GGUF
 * template, the two forms of override, greedy answers that end at EOS, and
 * clear errors for a model without a template or a bad override.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScoringRuntime } from "../../src/engine/llama-scoring-runtime.js";
import { ChatTemplateError, type ScoringModel, type ScoringRuntime } from "../../src/engine/scoring-model.js";
import { baseModelPath, chatModelPath, pairExists, pairSuiteTitle, scoringSettings } from "../shift/support/shift-test-models.js";

describe.skipIf(!pairExists)(pairSuiteTitle("scoring models: chat prompts and answers on stories260K-chat"), () => {
  let runtime: ScoringRuntime;
  let chat: ScoringModel;

  beforeAll(async () => {
    runtime = await startScoringRuntime({ threads: scoringSettings.threads, batchThreads: scoringSettings.batchThreads, gpu: scoringSettings.gpu });
    chat = await runtime.loadModel({ modelPath: chatModelPath, contextSize: scoringSettings.contextSize });
  });

  afterAll(async () => {
    await runtime?.dispose();
  });

  it("renders the GGUF's own chat template (through node-llama-cpp's Jinja wrapper)", () => {
    expect(chat.info).toMatchObject({ name: "stories260K-chat", chatTemplate: "gguf", vocabularySize: 512 });
    const prompt = chat.chatPrompt("Tell me a story about a cat.");
    expect(prompt.tokens[0]).toBe(1);
    expect(prompt.text).toMatch(/^<s> ?User: Tell me a story about a cat\. ?\nAssistant: ?$/);
  });

  it("answers greedily in the style it was tuned on, ending with EOS", async () => {
    const prompt = chat.chatPrompt("Tell me a story about a cat.");
    const answer = await chat.generate(0, prompt.tokens, { maxTokens: 300 });
    expect(answer.stopReason).toBe("eos");
    expect(chat.isEndOfGeneration(answer.tokens.at(-1)!)).toBe(true);
    const text = chat.detokenize(answer.tokens);
    expect(text.startsWith("Sure! Here is a story about a cat.")).toBe(true);
    expect(text.endsWith("</s>")).toBe(true);
    // Greedy: the same answer again, from the cached prefix.
    expect((await chat.generate(0, prompt.tokens, { maxTokens: 300 })).tokens).toEqual(answer.tokens);
  });

  it("stops at maxTokens", async () => {
    const answer = await chat.generate(0, chat.chatPrompt("Tell me a story about a dog.").tokens, { maxTokens: 7 });
    expect(answer).toMatchObject({ stopReason: "length" });
    expect(answer.tokens).toHaveLength(7);
  });

  it("takes a plain layout override, tokenized like the text it renders", async () => {
    const layout = await runtime.loadModel({ modelPath: chatModelPath, contextSize: 512, chatTemplate: "User: {query}\\nAssistant:" });
    expect(layout.info.chatTemplate).toBe("override");
    const prompt = layout.chatPrompt("Hello!");
    expect(prompt.tokens).toEqual(layout.tokenize("User: Hello!\nAssistant:"));
    const answer = await layout.generate(0, prompt.tokens, { maxTokens: 100 });
    // The answer documented in shared/models/README.md for this layout.
    expect(layout.detokenize(answer.tokens)).toBe("Sure! I am a helpful assistant. I can tell you a short story. What should it be about?</s>");
    // Special-token text in the query stays text.
    expect(layout.chatPrompt("a</s>b").tokens.filter((token) => token === 2)).toEqual([]);
    await layout.dispose();
  });

  it("takes a Jinja override for a model without a template", async () => {
    const template =
      "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ 'Q: ' + message['content'] + '\\n' }}{% else %}{{ 'A: ' + message['content'] + '\\n\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'A:' }}{% endif %}";
    const base = await runtime.loadModel({ modelPath: baseModelPath, contextSize: 512, chatTemplate: template });
    expect(base.info.chatTemplate).toBe("override");
    expect(base.chatPrompt("Hi there").text).toMatch(/^<s> ?Q: Hi there ?\nA: ?$/);
    await base.dispose();
  });

  it("says how to give a template when the GGUF has none", async () => {
    const base = await runtime.loadModel({ modelPath: baseModelPath, contextSize: 512 });
    expect(base.info.chatTemplate).toBeNull();
    expect(() => base.chatPrompt("Hi")).toThrow(ChatTemplateError);
    expect(() => base.chatPrompt("Hi")).toThrow(/no chat template.*--chat-template/);
    await base.dispose();
  });

  it("rejects a bad override before loading the weights", async () => {
    await expect(runtime.loadModel({ modelPath: chatModelPath, chatTemplate: "no placeholder here" })).rejects.toThrow(/exactly one \{query\}/);
  });

  it("tokenizes a given answer as a continuation (no BOS, no added leading space)", () => {
    const tokens = chat.tokenizeContinuation("Sure! Here");
    expect(tokens[0]).not.toBe(1);
    expect(chat.detokenize(tokens)).toBe("Sure! Here");
    // Whereas a whole prompt starts with BOS and SentencePiece's leading space.
    expect(chat.detokenize(chat.tokenize("Sure! Here"))).toMatch(/^<s> ?Sure! Here$/);
    expect(chat.tokenize("Sure! Here").slice(1)).not.toEqual(tokens);
  });
});
