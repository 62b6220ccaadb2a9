/**
 * @module errors/domain-error
 * The one domain error of the answer pipeline, the online experiments and
 * the shift route: what went wrong, as a kind and a stable code, with the
 * request field to blame. It knows no HTTP; `openai/api-error`
 * (`toErrorResponse`) maps each kind to a status and an OpenAI error type,
 * in one place.
 */

export type DomainErrorKind =
  /** The request asks for something this server refuses (a bad value, a limit passed). */
  | "invalid"
  /** The request names a model or set this server does not have. */
  | "unknown"
  /** The request addresses something that does not exist or is not enabled here. */
  | "missing"
  /** The model is still loading: retry shortly. */
  | "loading"
  /** The server's own state is broken (a variant's set vanished from the catalog). */
  | "broken";

export interface DomainErrorOptions {
  kind: DomainErrorKind;
  /** Stable machine-readable code, e.g. `context_length_exceeded`. */
  code: string;
  message: string;
  /** The request field to blame, as a dot path; null when none. */
  param?: string | null;
}

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  readonly param: string | null;

  constructor(options: DomainErrorOptions) {
    super(options.message);
    this.name = "DomainError";
    this.kind = options.kind;
    this.code = options.code;
    this.param = options.param ?? null;
  }
}

/** A request this server refuses (`invalid`), named by field. */
export function invalidInput(message: string, param: string | null, code: string): DomainError {
  return new DomainError({ kind: "invalid", code, message, param });
}

/** The model (or the models behind a feature) still loading. */
export function modelLoading(message = "The model is still loading. Retry shortly."): DomainError {
  return new DomainError({ kind: "loading", code: "model_loading", message });
}
