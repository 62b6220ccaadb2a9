/**
 * @module shift/shift-input-error
 * Input the analyser cannot work with (a prompts file, a model pair, an
 * exemplar set that does not fit): reported as one clear line, never a crash.
 */

/** Bad input to the shift analysis; the message names the file, line or model and the rule. */
export class ShiftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShiftInputError";
  }
}
