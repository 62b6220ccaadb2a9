/**
 * @module exemplar-search/search-input-error
 * Bad input to `urial exemplars search` (a pool or queries file, a budget that
 * leaves no room): reported by the CLI as one clear line, never a crash.
 */

/** The message names the file and line, or the flag, and the fix. */
export class SearchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchInputError";
  }
}
