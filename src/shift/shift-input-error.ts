/**
 * @module shift/shift-input-error
 * Input the analyser cannot work with (a prompts file, a model pair, an
 * exemplar set that does not fit): reported as one clear line, never a crash.
 */

/** Bad input to the shift analysis; the message names the file, line or model and the rule. */
export class ShiftInputError extends Error {
  constructor(
    message: string,
    /** The request field to blame when the input came in a request (`POST /v1/shift`). */
    readonly param: string | null = null,
    /** Stable code for that request's error. */
    readonly code = "invalid_value",
  ) {
    super(message);
    this.name = "ShiftInputError";
  }
}
