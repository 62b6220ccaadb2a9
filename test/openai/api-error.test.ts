import { describe, expect, it } from "vitest";
import { QueueFullError, UnsupportedSchemaError } from "../../src/engine/engine.js";
import { ApiError, invalidRequest, toErrorResponse } from "../../src/openai/api-error.js";

describe("toErrorResponse", () => {
  it("answers an ApiError with its status, headers and OpenAI body", () => {
    const error = new ApiError({
      status: 404,
      type: "not_found_error",
      message: "The model 'x' does not exist.",
      param: "model",
      code: "model_not_found",
      headers: { "x-extra": "1" },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 404,
      headers: { "x-extra": "1" },
      body: { error: { message: "The model 'x' does not exist.", type: "not_found_error", param: "model", code: "model_not_found" } },
    });
  });

  it("fills param, code and headers of an ApiError with null / {} when left out", () => {
    const response = toErrorResponse(new ApiError({ status: 503, type: "service_unavailable", message: "Loading." }));
    expect(response).toEqual({
      status: 503,
      headers: {},
      body: { error: { message: "Loading.", type: "service_unavailable", param: null, code: null } },
    });
  });

  it("answers invalidRequest with a 400 naming the param", () => {
    expect(toErrorResponse(invalidRequest("Bad.", "messages.0.role", "invalid_value"))).toEqual({
      status: 400,
      headers: {},
      body: { error: { message: "Bad.", type: "invalid_request_error", param: "messages.0.role", code: "invalid_value" } },
    });
    expect(toErrorResponse(invalidRequest("Bad.")).body.error.param).toBeNull();
  });

  it("answers QueueFullError with 429 and retry-after", () => {
    const response = toErrorResponse(new QueueFullError(16));
    expect(response.status).toBe(429);
    expect(response.headers).toEqual({ "retry-after": "1" });
    expect(response.body).toEqual({
      error: {
        message: "The server is busy: all sequences are generating and 16 requests are already waiting. Retry shortly.",
        type: "rate_limit_error",
        param: null,
        code: "queue_full",
      },
    });
  });

  it("answers UnsupportedSchemaError with 400 on the schema", () => {
    const response = toErrorResponse(new UnsupportedSchemaError("'oneOf' is not supported"));
    expect(response).toEqual({
      status: 400,
      headers: {},
      body: {
        error: {
          message: "'oneOf' is not supported",
          type: "invalid_request_error",
          param: "response_format.json_schema.schema",
          code: "invalid_json_schema",
        },
      },
    });
  });

  it("answers an unknown Error with 500 server_error", () => {
    expect(toErrorResponse(new TypeError("boom"))).toEqual({
      status: 500,
      headers: {},
      body: { error: { message: "The engine failed: boom", type: "server_error", param: null, code: "engine_error" } },
    });
  });

  it("answers a thrown non-Error with 500 too", () => {
    const response = toErrorResponse("plain string");
    expect(response.status).toBe(500);
    expect(response.body.error.message).toBe("The engine failed: plain string");
  });

  it("gives a body with exactly message, type, param and code", () => {
    for (const error of [invalidRequest("x"), new QueueFullError(1), new UnsupportedSchemaError("y"), new Error("z")]) {
      const body = toErrorResponse(error).body;
      expect(Object.keys(body)).toEqual(["error"]);
      expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    }
  });
});
