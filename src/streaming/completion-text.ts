/**
 * @module streaming/completion-text
 * Turns a stream of generated text pieces into the text a client may see:
 * stop strings are cut (and held back while they might still be forming),
 * and, for URIAL answers, the block's leading whitespace and closing fence are
 * removed. Each piece may carry an entry (a token's logprobs) that is released
 * together with the text it produced, so logprobs always match the content.
 */

/** What one push or the final flush releases to the client. */
export interface Emission<Entry> {
  text: string;
  entries: Entry[];
}

export interface CompletionTextOptions {
  /** Stop strings matched anywhere in the generated text (the client's `stop`). */
  stops?: readonly string[];
  /**
   * Stop strings matched as if the text were preceded by a newline, so that
   * `"\n# Query"` also stops an answer that begins with `# Query`.
   */
  lineStops?: readonly string[];
  /**
   * Clean a URIAL answer block: drop leading whitespace, hold back trailing
   * whitespace and backticks until more text arrives, and at the end remove a
   * closing fence that does not close a code block opened inside the answer.
   * Defaults to `false` (raw completion: text passes through unchanged).
   */
  cleanAnswer?: boolean;
}

interface Placed<Entry> {
  start: number;
  end: number;
  entry: Entry;
}

const fenceLine = /^[ \t]*`{3,}[^`\n]*$/;

/** Accumulates generated text and decides what may be released. */
export class CompletionText<Entry = never> {
  readonly #stops: readonly string[];
  readonly #lineStops: readonly string[];
  readonly #cleanAnswer: boolean;
  #raw = "";
  readonly #placed: Placed<Entry>[] = [];
  #nextEntry = 0;
  #emittedTo = 0;
  #stopIndex: number | undefined;
  #finished = false;

  constructor(options: CompletionTextOptions = {}) {
    this.#stops = (options.stops ?? []).filter((stop) => stop.length > 0);
    this.#lineStops = (options.lineStops ?? []).filter((stop) => stop.length > 0);
    this.#cleanAnswer = options.cleanAnswer ?? false;
  }

  /** True once a stop string was found; further pushes are ignored. */
  get stopped(): boolean {
    return this.#stopIndex !== undefined;
  }

  /** The whole generated text so far, before any cleaning (for diagnostics). */
  get rawText(): string {
    return this.#raw;
  }

  /** Adds one generated piece; returns what can be released now. */
  push(text: string, entry?: Entry): Emission<Entry> {
    if (this.#finished || this.stopped) return { text: "", entries: [] };
    const start = this.#raw.length;
    this.#raw += text;
    if (entry !== undefined) this.#placed.push({ start, end: this.#raw.length, entry });
    const stopIndex = this.#findStop(start);
    if (stopIndex !== undefined) {
      this.#stopIndex = stopIndex;
      return { text: "", entries: [] };
    }
    return this.#release(this.#safeEnd(), false);
  }

  /** Releases everything that is left, applying the final cleaning. */
  finish(): Emission<Entry> {
    if (this.#finished) return { text: "", entries: [] };
    this.#finished = true;
    return this.#release(this.#finalEnd(), true);
  }

  #contentStart(): number {
    if (!this.#cleanAnswer) return 0;
    const match = /\S/.exec(this.#raw);
    return match ? match.index : this.#raw.length;
  }

  #findStop(pieceStart: number): number | undefined {
    let best: number | undefined;
    for (const stop of this.#stops) {
      const from = Math.max(0, pieceStart - stop.length + 1);
      const index = this.#raw.indexOf(stop, from);
      if (index >= 0 && (best === undefined || index < best)) best = index;
    }
    const lined = "\n" + this.#raw;
    for (const stop of this.#lineStops) {
      const from = Math.max(0, pieceStart + 1 - stop.length + 1);
      const index = lined.indexOf(stop, from);
      // In `lined` every index is one past the raw index; a match at 0 began
      // with the virtual newline, so the cut is at the very start.
      if (index >= 0) {
        const at = Math.max(0, index - 1);
        if (best === undefined || at < best) best = at;
      }
    }
    return best;
  }

  /** End of the text that can no longer become part of a stop or a fence. */
  #safeEnd(): number {
    let held = 0;
    for (const stop of this.#stops) held = Math.max(held, partialSuffix(this.#raw, stop));
    const lined = "\n" + this.#raw;
    for (const stop of this.#lineStops) held = Math.max(held, Math.min(this.#raw.length, partialSuffix(lined, stop)));
    let end = this.#raw.length - held;
    if (this.#cleanAnswer) {
      const tail = /[\s`]*$/.exec(this.#raw.slice(0, end));
      if (tail) end -= tail[0].length;
    }
    return end;
  }

  #finalEnd(): number {
    const end = this.#stopIndex ?? this.#raw.length;
    if (!this.#cleanAnswer) return end;
    const start = this.#contentStart();
    if (end <= start) return start;
    const answer = stripClosingFence(this.#raw.slice(start, end));
    return start + answer.length;
  }

  #release(upTo: number, final: boolean): Emission<Entry> {
    const contentStart = this.#contentStart();
    const from = Math.max(this.#emittedTo, contentStart);
    let text = "";
    if (upTo > from) {
      text = this.#raw.slice(from, upTo);
      this.#emittedTo = upTo;
    }
    const entries: Entry[] = [];
    while (this.#nextEntry < this.#placed.length) {
      const placed = this.#placed[this.#nextEntry]!;
      const insideLeading = placed.end <= contentStart && placed.start < contentStart;
      if (final) {
        if (!insideLeading && placed.start < upTo) entries.push(placed.entry);
      } else {
        if (placed.end > upTo) break;
        if (!insideLeading) entries.push(placed.entry);
      }
      this.#nextEntry += 1;
    }
    return { text, entries };
  }
}

/** Length of the longest proper prefix of `stop` that `text` ends with. */
function partialSuffix(text: string, stop: string): number {
  for (let length = Math.min(stop.length - 1, text.length); length > 0; length -= 1) {
    if (text.endsWith(stop.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Trims trailing whitespace and removes a final fence line when it closes the
 * URIAL answer block rather than a code block the answer opened itself (an odd
 * number of fence lines means the last one has no partner inside the answer).
 */
export function stripClosingFence(answer: string): string {
  const trimmed = answer.trimEnd();
  const lines = trimmed.split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (!/^[ \t]*`{3,}[ \t]*$/.test(last)) return trimmed;
  const fences = lines.filter((line) => fenceLine.test(line)).length;
  if (fences % 2 === 0) return trimmed;
  return lines.slice(0, -1).join("\n").trimEnd();
}
