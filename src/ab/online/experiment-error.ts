/**
 * @module ab/online/experiment-error
 * A problem with the experiments file or with what it names (a set or a
 * system prompt the catalog lacks); the message names the file and field.
 */
export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}
