/**
 * @module openai/api-error
 * The one error type the HTTP layer knows how to answer, and the one function
 * that maps anything thrown — domain errors (`errors/domain-error`), engine
 * errors, shift input errors — to an OpenAI error body and status. Domain
 * code throws its own errors; only this file knows their HTTP status.
 */
import { DomainError, type DomainErrorKind } from "../errors/domain-error.js";
import { ShiftInputError } from "../shift/shift-input-error.js";
import { contextOverflowMessage } from "./context-overflow.js";
import { PromptTooLongError, QueueFullError, UnsupportedFeatureError, UnsupportedSchemaError, UpstreamError } from "../engine/engine.js";

export type ApiErrorType = "invalid_request_error" | "not_found_error" | "rate_limit_error" | "server_error" | "service_unavailable" | "authentication_error" | "upstream_error" | "timeout_error";

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

/** 401: no API key, or not one of the server's (the key itself is never echoed). */
export function unauthorized(message: string, code: "missing_api_key" | "invalid_api_key"): ApiError {
  return new ApiError({ status: 401, type: "authentication_error", message, code, headers: { "www-authenticate": "Bearer" } });
}

/** 504: the request ran past the server's wall-clock limit; its generation was stopped. */
export function requestTimedOut(limitMs: number): ApiError {
  return new ApiError({
    status: 504,
    type: "timeout_error",
    message: `The request took longer than the server's limit of ${formatSeconds(limitMs)} and was stopped. Ask for fewer tokens or retry later.`,
    code: "request_timeout",
  });
}

/** 503: the server is shutting down and no longer takes requests (or ran out of time to finish this one). */
export function shuttingDown(): ApiError {
  return new ApiError({
    status: 503,
    type: "service_unavailable",
    message: "The server is shutting down. Retry on another instance or shortly.",
    code: "server_shutting_down",
    headers: { "retry-after": "1", connection: "close" },
  });
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, "")} s`;
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
  if (error instanceof DomainError) return toErrorResponse(fromDomainError(error));
  if (error instanceof ShiftInputError) return toErrorResponse(invalidRequest(error.message, error.param, error.code));
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
  if (error instanceof UnsupportedFeatureError) return toErrorResponse(invalidRequest(error.message, error.param, "unsupported_parameter"));
  if (error instanceof PromptTooLongError) {
    const { contextSize, promptTokens, wanted, composition } = error;
    const message = contextOverflowMessage({
      contextSize,
      promptTokens,
      requested: error.requested ? wanted : undefined,
      countedByUpstream: error.countedByUpstream,
      ...(composition !== undefined ? { set: composition.set, otherSets: composition.otherSets } : {}),
    });
    return toErrorResponse(invalidRequest(message, error.param, "context_length_exceeded"));
  }
  if (error instanceof UpstreamError) return toErrorResponse(fromUpstreamError(error));
  const detail = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    headers: {},
    body: { error: { message: `The engine failed: ${detail}`, type: "server_error", param: null, code: "engine_error" } },
  };
}

/** Status and OpenAI type per domain error kind. */
const domainStatus: Record<DomainErrorKind, { status: number; type: ApiErrorType; headers?: Record<string, string> }> = {
  invalid: { status: 400, type: "invalid_request_error" },
  unknown: { status: 404, type: "invalid_request_error" },
  missing: { status: 404, type: "not_found_error" },
  loading: { status: 503, type: "service_unavailable", headers: { "retry-after": "2" } },
  broken: { status: 500, type: "server_error" },
  unavailable: { status: 503, type: "service_unavailable", headers: { "retry-after": "5" } },
};

function fromDomainError(error: DomainError): ApiError {
  const { status, type, headers } = domainStatus[error.kind];
  return new ApiError({ status, type, message: error.message, param: error.param, code: error.code, ...(headers ? { headers } : {}) });
}

/**
 * A remote engine's upstream failure as the client sees it: 502 when the
 * upstream is down, broken or misconfigured, 504 when it is too slow, 503
 * when it is busy (its Retry-After passed on), and 400 when it rejected the
 * prompt itself (what it says is passed on).
 */
function fromUpstreamError(error: UpstreamError): ApiError {
  switch (error.failure) {
    case "unavailable":
      return new ApiError({ status: 502, type: "upstream_error", message: `The upstream completions server cannot be reached: ${error.message}`, code: "upstream_unavailable" });
    case "timeout":
      return new ApiError({ status: 504, type: "timeout_error", message: `The upstream completions server did not answer in time: ${error.message}`, code: "upstream_timeout" });
    case "protocol":
      return new ApiError({ status: 502, type: "upstream_error", message: `The upstream completions server sent an invalid answer: ${error.message}`, code: "upstream_bad_response" });
    case "status": {
      const status = error.upstreamStatus ?? 502;
      if (status === 429 || status === 503) {
        return new ApiError({
          status: 503,
          type: "service_unavailable",
          message: `The upstream completions server is busy (HTTP ${status}). Retry shortly.`,
          code: "upstream_busy",
          headers: { "retry-after": error.retryAfter !== undefined && /^\d{1,6}$/.test(error.retryAfter) ? error.retryAfter : "1" },
        });
      }
      if (status === 400 || status === 413 || status === 422) {
        return new ApiError({
          status: 400,
          type: "invalid_request_error",
          message: `The upstream completions server rejected the prompt (HTTP ${status}): ${error.message}`,
          code: "upstream_rejected",
        });
      }
      return new ApiError({ status: 502, type: "upstream_error", message: `The upstream completions server failed (HTTP ${status}): ${error.message}`, code: "upstream_error" });
    }
  }
}
