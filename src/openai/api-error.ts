/**
 * @module openai/api-error
 * The one error type the HTTP layer knows how to answer, and the one function
 * that maps anything thrown to an OpenAI error body and status.
 */
import { QueueFullError, UnsupportedSchemaError } from "../engine/engine.js";

export type ApiErrorType =
  | "invalid_request_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error"
  | "service_unavailable"
  | "authentication_error";

export interface ApiErrorOptions {
  status: number;
  type: ApiErrorType;
  message: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

/** An error with everything needed to answer it in OpenAI's shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(options: ApiErrorOptions) {
    super(options.message);
    this.name = "ApiError";
    this.status = options.status;
    this.type = options.type;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }
}

/** 400 for a request field; `param` is the field's dot path. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError({ status: 400, type: "invalid_request_error", message, param, code });
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** Maps anything thrown to the response the client gets. Unknown errors become 500. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      headers: error.headers,
      body: { error: { message: error.message, type: error.type, param: error.param, code: error.code } },
    };
  }
  if (error instanceof QueueFullError) {
    return toErrorResponse(
      new ApiError({
        status: 429,
        type: "rate_limit_error",
        message: `The server is busy: all sequences are generating and ${error.queued} requests are already waiting. Retry shortly.`,
        code: "queue_full",
        headers: { "retry-after": "1" },
      }),
    );
  }
  if (error instanceof UnsupportedSchemaError) {
    return toErrorResponse(invalidRequest(error.message, "response_format.json_schema.schema", "invalid_json_schema"));
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    headers: {},
    body: { error: { message: `The engine failed: ${detail}`, type: "server_error", param: null, code: "engine_error" } },
  };
}
