import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/openai/api-error.js";
import { chatRequestSchema } from "../../src/openai/chat-request-schema.js";
import { completionRequestSchema } from "../../src/openai/completion-request-schema.js";
import { parseRequest, rejectUnsupported } from "../../src/openai/parse-request.js";
import { stopList } from "../../src/openai/request-fields.js";

/** Calls `action` and returns the ApiError it throws. */
function apiErrorOf(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

const chatBody = { model: "urial", messages: [{ role: "user", content: "Hi" }] };
const completionBody = { model: "urial", prompt: "Once upon a time" };

function chatParam(fields: Record<string, unknown>): string | null {
  const error = apiErrorOf(() => parseRequest(chatRequestSchema, { ...chatBody, ...fields }));
  expect(error.status).toBe(400);
  expect(error.type).toBe("invalid_request_error");
  return error.param;
}

function completionParam(fields: Record<string, unknown>): string | null {
  const error = apiErrorOf(() => parseRequest(completionRequestSchema, { ...completionBody, ...fields }));
  expect(error.status).toBe(400);
  return error.param;
}

describe("parseRequest with the chat schema", () => {
  it("accepts a body like the SDK sends, with every sampling field", () => {
    const body = {
      model: "urial",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Dev note." }] },
        { role: "user", content: "Hi", name: "alice" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: [{ type: "text", text: "And?" }] },
      ],
      temperature: 0.7,
      top_p: 0.9,
      top_k: 20,
      min_p: 0.1,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      repetition_penalty: 1.2,
      seed: 7,
      max_tokens: 100,
      max_completion_tokens: 50,
      n: 2,
      stop: ["\n\n", "END"],
      stream: true,
      stream_options: { include_usage: true },
      user: "u-1",
      logprobs: true,
      top_logprobs: 5,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" }, strict: true } },
      store: false,
      metadata: { a: "b" },
      tools: [],
    };
    const parsed = parseRequest(chatRequestSchema, body);
    expect(parsed.messages).toHaveLength(5);
    expect(parsed.temperature).toBe(0.7);
    expect(parsed.max_completion_tokens).toBe(50);
    expect(parsed.stop).toEqual(["\n\n", "END"]);
    expect(parsed.response_format).toEqual({ type: "json_schema", json_schema: { name: "x", schema: { type: "object" }, strict: true } });
  });

  it("accepts null for every nullable field", () => {
    const body = {
      ...chatBody,
      messages: [{ role: "user", content: "Hi", name: null }],
      temperature: null,
      top_p: null,
      top_k: null,
      min_p: null,
      presence_penalty: null,
      frequency_penalty: null,
      repetition_penalty: null,
      seed: null,
      max_tokens: null,
      max_completion_tokens: null,
      n: null,
      stop: null,
      stream: null,
      stream_options: null,
      user: null,
      logprobs: null,
      top_logprobs: null,
      response_format: null,
      tools: null,
      tool_choice: null,
    };
    const parsed = parseRequest(chatRequestSchema, body);
    expect(parsed.temperature).toBeNull();
    expect(parsed.stop).toBeNull();
    expect(parsed.response_format).toBeNull();
  });

  it("accepts stream_options with include_usage null and a text response format", () => {
    const parsed = parseRequest(chatRequestSchema, { ...chatBody, stream_options: { include_usage: null }, response_format: { type: "text" } });
    expect(parsed.response_format).toEqual({ type: "text" });
  });

  it("accepts a single stop string and a list of 4", () => {
    expect(parseRequest(chatRequestSchema, { ...chatBody, stop: "END" }).stop).toBe("END");
    expect(parseRequest(chatRequestSchema, { ...chatBody, stop: ["a", "b", "c", "d"] }).stop).toHaveLength(4);
  });

  it("names a missing model", () => {
    const error = apiErrorOf(() => parseRequest(chatRequestSchema, { messages: chatBody.messages }));
    expect(error.param).toBe("model");
    expect(error.message).toBe("Invalid request: 'model' is required and must be a string.");
    expect(error.code).toBe("invalid_value");
  });

  it("names missing or empty messages", () => {
    expect(chatParam({ messages: undefined })).toBe("messages");
    expect(chatParam({ messages: [] })).toBe("messages");
  });

  it("names a message's bad role", () => {
    expect(chatParam({ messages: [{ role: "robot", content: "x" }] })).toBe("messages.0.role");
  });

  it("names a message's bad content", () => {
    expect(
      chatParam({
        messages: [
          { role: "user", content: "ok" },
          { role: "user", content: 5 },
        ],
      }),
    ).toBe("messages.1.content");
  });

  it("says which rule a field broke", () => {
    const error = apiErrorOf(() => parseRequest(chatRequestSchema, { ...chatBody, temperature: 2.5 }));
    expect(error.message).toBe("Invalid request: 'temperature' must be at most 2.");
    expect(error.code).toBe("invalid_value");
  });

  it("names temperature out of range or of the wrong type", () => {
    expect(chatParam({ temperature: 2.5 })).toBe("temperature");
    expect(chatParam({ temperature: -0.1 })).toBe("temperature");
    expect(chatParam({ temperature: "hot" })).toBe("temperature");
  });

  it("names top_p out of range", () => {
    expect(chatParam({ top_p: 1.5 })).toBe("top_p");
  });

  it("names a fractional top_k", () => {
    expect(chatParam({ top_k: 1.5 })).toBe("top_k");
  });

  it("names min_p out of range", () => {
    expect(chatParam({ min_p: -1 })).toBe("min_p");
  });

  it("names penalties out of range", () => {
    expect(chatParam({ presence_penalty: 3 })).toBe("presence_penalty");
    expect(chatParam({ frequency_penalty: -3 })).toBe("frequency_penalty");
    expect(chatParam({ repetition_penalty: 0 })).toBe("repetition_penalty");
  });

  it("names a fractional seed", () => {
    expect(chatParam({ seed: 1.5 })).toBe("seed");
  });

  it("names bad max_tokens and max_completion_tokens", () => {
    expect(chatParam({ max_tokens: 0 })).toBe("max_tokens");
    expect(chatParam({ max_completion_tokens: 2.5 })).toBe("max_completion_tokens");
  });

  it("rejects n of 1000 and n of 0", () => {
    expect(chatParam({ n: 1000 })).toBe("n");
    expect(chatParam({ n: 0 })).toBe("n");
  });

  it("rejects a stop list of 5", () => {
    const error = apiErrorOf(() => parseRequest(chatRequestSchema, { ...chatBody, stop: ["a", "b", "c", "d", "e"] }));
    expect(error.status).toBe(400);
    expect(error.param).toBe("stop");
    expect(error.message).toBe("Invalid request: 'stop' must be a string or an array of at most 4 strings.");
  });

  it("rejects a stop that is neither a string nor a list", () => {
    expect(chatParam({ stop: 5 })).toBe("stop");
  });

  it("names a non-boolean stream and a bad stream_options", () => {
    expect(chatParam({ stream: "yes" })).toBe("stream");
    expect(chatParam({ stream_options: { include_usage: "yes" } })).toBe("stream_options.include_usage");
  });

  it("names logprobs and top_logprobs", () => {
    expect(chatParam({ logprobs: 1 })).toBe("logprobs");
    expect(chatParam({ top_logprobs: 21 })).toBe("top_logprobs");
    expect(chatParam({ top_logprobs: -1 })).toBe("top_logprobs");
  });

  it("names an unknown response_format type", () => {
    expect(chatParam({ response_format: { type: "xml" } })).toBe("response_format.type");
  });

  it("names a json_schema response format without its json_schema", () => {
    expect(chatParam({ response_format: { type: "json_schema" } })).toBe("response_format.json_schema");
  });

  it("rejects a body that is an array, a string or null", () => {
    for (const body of [[chatBody], "hello", null, 42]) {
      const error = apiErrorOf(() => parseRequest(chatRequestSchema, body));
      expect(error.status).toBe(400);
      expect(error.param).toBeNull();
      expect(error.code).toBe("invalid_request_body");
      expect(error.message).toBe("The request body must be a JSON object.");
    }
  });
});

describe("parseRequest with the completion schema", () => {
  it("accepts a prompt string or a list of strings, with nulls", () => {
    expect(parseRequest(completionRequestSchema, completionBody).prompt).toBe("Once upon a time");
    const parsed = parseRequest(completionRequestSchema, { ...completionBody, prompt: ["a", "b"], logprobs: null, echo: null, suffix: null, best_of: null });
    expect(parsed.prompt).toEqual(["a", "b"]);
  });

  it("names a bad prompt", () => {
    expect(completionParam({ prompt: undefined })).toBe("prompt");
    expect(completionParam({ prompt: 5 })).toBe("prompt");
    expect(completionParam({ prompt: [] })).toBe("prompt");
  });

  it("names logprobs above 5", () => {
    expect(completionParam({ logprobs: 6 })).toBe("logprobs");
  });

  it("names a non-boolean echo", () => {
    expect(completionParam({ echo: "no" })).toBe("echo");
  });

  it("shares the sampling fields with chat", () => {
    expect(completionParam({ temperature: 3 })).toBe("temperature");
    expect(completionParam({ n: 1000 })).toBe("n");
  });
});

describe("rejectUnsupported", () => {
  const fields = ["tools", "tool_choice", "modalities", "best_of", "suffix", "logit_bias"];

  it("rejects a field with a value, naming it", () => {
    const error = apiErrorOf(() => rejectUnsupported({ tools: [{ type: "function", function: { name: "f" } }] }, fields));
    expect(error.status).toBe(400);
    expect(error.param).toBe("tools");
    expect(error.code).toBe("unsupported_parameter");
    expect(error.message).toContain("'tools' is not supported");
  });

  it("names the first offending field in the list's order", () => {
    expect(apiErrorOf(() => rejectUnsupported({ logit_bias: { "5": 10 }, tool_choice: "auto" }, fields)).param).toBe("tool_choice");
  });

  it("rejects values that change the result", () => {
    expect(apiErrorOf(() => rejectUnsupported({ best_of: 3 }, fields)).param).toBe("best_of");
    expect(apiErrorOf(() => rejectUnsupported({ suffix: "end" }, fields)).param).toBe("suffix");
    expect(apiErrorOf(() => rejectUnsupported({ modalities: ["text", "audio"] }, fields)).param).toBe("modalities");
    expect(apiErrorOf(() => rejectUnsupported({ logit_bias: { "5": 10 } }, fields)).param).toBe("logit_bias");
  });

  it("lets the values that mean nothing pass", () => {
    const neutral = [{}, { tools: [] }, { tools: null }, { tool_choice: "none" }, { tool_choice: undefined }, { modalities: ["text"] }, { best_of: 1 }, { suffix: "" }, { logit_bias: {} }];
    for (const request of neutral) expect(() => rejectUnsupported(request, fields)).not.toThrow();
  });
});

describe("stopList", () => {
  it("turns a stop field into a list", () => {
    expect(stopList(undefined)).toEqual([]);
    expect(stopList(null)).toEqual([]);
    expect(stopList("END")).toEqual(["END"]);
    expect(stopList(["a", "b"])).toEqual(["a", "b"]);
  });
});
