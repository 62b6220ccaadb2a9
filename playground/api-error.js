// @ts-check
/**
 * @module playground/api-error
 * Errors as the page shows them: always the API's own message (its
 * `{"error":{message,type,param,code}}` body), with the code and status,
 * or — when no API answered — what went wrong on the way. Pure.
 */

export class PlaygroundApiError extends Error {
  /**
   * @param {string} message
   * @param {{ status?: number | null, code?: string | null, param?: string | null }} [details]
   */
  constructor(message, details = {}) {
    super(message);
    this.name = "PlaygroundApiError";
    this.status = details.status ?? null;
    this.code = details.code ?? null;
    this.param = details.param ?? null;
  }
}

/**
 * The error for a failed response, from its status and body text.
 * @param {number} status
 * @param {string} bodyText
 * @returns {PlaygroundApiError}
 */
export function errorFromResponse(status, bodyText) {
  try {
    const body = JSON.parse(bodyText);
    const error = body?.error;
    if (error && typeof error.message === "string") return new PlaygroundApiError(error.message, { status, code: error.code ?? null, param: error.param ?? null });
  } catch {
    // Not JSON: say what came instead.
  }
  const text = bodyText.trim().slice(0, 200);
  return new PlaygroundApiError(`HTTP ${status}${text.length > 0 ? `: ${text}` : " with an empty body"}`, { status });
}

/**
 * One line for the page: "invalid_api_key (401): Incorrect API key provided." or the message alone.
 * @param {unknown} error
 * @returns {string}
 */
export function describeError(error) {
  if (error instanceof PlaygroundApiError) {
    const where = [error.code, error.status !== null ? String(error.status) : null].filter(Boolean);
    const param = error.param ? ` [${error.param}]` : "";
    return where.length > 0 ? `${where[0]}${where[1] ? ` (${where[1]})` : ""}${param}: ${error.message}` : error.message;
  }
  if (error instanceof Error && error.name === "TypeError") return `The server did not answer (${error.message}). Is urial serve still running?`;
  return error instanceof Error ? error.message : String(error);
}
