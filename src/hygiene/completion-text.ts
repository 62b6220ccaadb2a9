/**
 * @module hygiene/completion-text
 * Turns a stream of generated text pieces into the text a client may see:
 * stop strings are cut (and held back while they might still be forming),
 * run-on repetition is cut, and, for URIAL answers, the block's leading
 * whitespace and closing fence are removed. Each piece may carry an entry (a
 * token's logprobs) that is released together with the text it produced, so
 * logprobs always match the content.
 */

/** What one push or the final flush releases to the client. */
export interface Emission<Entry> {
  text: string;
  entries: Entry[];
}

/** Why the text was cut before the model ended it. */
export type CutReason =
  /** One of the client's stop strings (`text`). */
  | { kind: "stop"; text: string }
  /** The start of the next prompt block (`# Query`, `# Answer`, …). */
  | { kind: "block"; text: string }
  /** Prompt material the answer must not repeat (an exemplar's question, a marker). */
  | { kind: "leak"; text: string }
  /** The same n-gram of words came back too often. */
  | { kind: "repetition"; text: string };

export interface RepetitionRule {
  /** Words per n-gram (URIAL's filter used 6). */
  ngram: number;
  /** Occurrences allowed; the next one is cut, from its first word on. */
  maxOccurrences: number;
}

export interface CompletionTextOptions {
  /** Stop strings matched anywhere in the generated text (the client's `stop`). */
  stops?: readonly string[];
  /**
   * Stop strings matched as if the text were preceded by a newline, so that
   * `"\n# Query"` also stops an answer that begins with `# Query`.
   */
  lineStops?: readonly string[];
  /** Strings that must never appear in the output; matched anywhere, cut as a leak. */
  leakStops?: readonly string[];
  /** Cut run-on repetition. Undefined: no check. */
  repetition?: RepetitionRule;
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

interface StopString {
  text: string;
  kind: "stop" | "block" | "leak";
  /** Matched as if a newline preceded the text. */
  atLineStart: boolean;
}

interface Cut {
  index: number;
  reason: CutReason;
}

const fenceLine = /^[ \t]*`{3,}[^`\n]*$/;

/** Accumulates generated text and decides what may be released. */
export class CompletionText<Entry = never> {
  readonly #stops: readonly StopString[];
  readonly #cleanAnswer: boolean;
  readonly #repetition: RepetitionTracker | undefined;
  #raw = "";
  readonly #placed: Placed<Entry>[] = [];
  #nextEntry = 0;
  #emittedTo = 0;
  #cut: Cut | undefined;
  #finished = false;

  constructor(options: CompletionTextOptions = {}) {
    const stops: StopString[] = [];
    for (const text of options.stops ?? []) if (text.length > 0) stops.push({ text, kind: "stop", atLineStart: false });
    for (const text of options.lineStops ?? []) if (text.length > 0) stops.push({ text, kind: "block", atLineStart: true });
    for (const text of options.leakStops ?? []) if (text.length > 0) stops.push({ text, kind: "leak", atLineStart: false });
    this.#stops = stops;
    this.#cleanAnswer = options.cleanAnswer ?? false;
    this.#repetition = options.repetition ? new RepetitionTracker(options.repetition) : undefined;
  }

  /** True once the text was cut; further pushes are ignored. */
  get stopped(): boolean {
    return this.#cut !== undefined;
  }

  /** Why the text was cut, if it was. */
  get cutReason(): CutReason | undefined {
    return this.#cut?.reason;
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
    const stop = this.#findStop(start);
    const repeated = this.#repetition?.scan(this.#raw, this.#contentStart());
    const cut = [stop, repeated].filter((each): each is Cut => each !== undefined).sort((a, b) => a.index - b.index)[0];
    if (cut !== undefined) {
      this.#cut = cut;
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

  #findStop(pieceStart: number): Cut | undefined {
    let best: Cut | undefined;
    const lined = "\n" + this.#raw;
    for (const stop of this.#stops) {
      let index: number;
      if (stop.atLineStart) {
        // In `lined` every index is one past the raw index; a match at 0
        // began with the virtual newline, so the cut is at the very start.
        const found = lined.indexOf(stop.text, Math.max(0, pieceStart + 1 - stop.text.length + 1));
        index = found < 0 ? -1 : Math.max(0, found - 1);
      } else {
        index = this.#raw.indexOf(stop.text, Math.max(0, pieceStart - stop.text.length + 1));
      }
      if (index >= 0 && (best === undefined || index < best.index)) best = { index, reason: { kind: stop.kind, text: stop.text } };
    }
    return best;
  }

  /** End of the text that can no longer become part of a stop, a repetition or a fence. */
  #safeEnd(): number {
    let held = 0;
    const lined = "\n" + this.#raw;
    for (const stop of this.#stops) {
      const partial = stop.atLineStart ? Math.min(this.#raw.length, partialSuffix(lined, stop.text)) : partialSuffix(this.#raw, stop.text);
      held = Math.max(held, partial);
    }
    let end = this.#raw.length - held;
    if (this.#repetition) end = Math.min(end, this.#repetition.holdFrom(this.#raw, this.#contentStart()));
    if (this.#cleanAnswer) {
      // Scanned backwards in place: slicing the whole text on every token would be quadratic.
      while (end > 0 && isHeldTail(this.#raw.charCodeAt(end - 1))) end -= 1;
    }
    return end;
  }

  #finalEnd(): number {
    const end = this.#cut?.index ?? this.#raw.length;
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
        // `upTo <= contentStart`: the answer is empty (the cut or the stripped
        // fence lies in the leading whitespace), so no entry's text is shown.
        if (!insideLeading && placed.start < upTo && upTo > contentStart) entries.push(placed.entry);
      } else {
        if (placed.end > upTo) break;
        if (!insideLeading) entries.push(placed.entry);
      }
      this.#nextEntry += 1;
    }
    return { text, entries };
  }
}

/**
 * Counts word n-grams as words complete. A word is complete once whitespace
 * follows it; words are compared lower-cased. Scanning is incremental: each
 * character is looked at once, so a long run without whitespace costs linear
 * time (a regex such as /\S+(?=\s)/ re-scans the run on every push, cubic).
 *
 * Hold-back is precise: an n-gram can only be cut once it has been seen
 * `maxOccurrences` times, so only text that could begin such an "at risk"
 * n-gram is held — the trailing words that match the start of one, and the
 * word being written while any n-gram is at risk. Ordinary text, where no
 * n-gram has come back yet, streams without delay.
 */
class RepetitionTracker {
  readonly #rule: RepetitionRule;
  /** Start offsets and normalised text of the complete words so far. */
  readonly #words: { start: number; text: string }[] = [];
  readonly #counts = new Map<string, number>();
  /** Word prefixes (1..n-1 words, joined by spaces) of n-grams seen `maxOccurrences` times. */
  readonly #atRisk = new Set<string>();
  /** Every character before this offset was scanned. */
  #scannedTo = 0;
  /** Start of the word being read (no whitespace after it yet). */
  #wordStart: number | undefined;

  constructor(rule: RepetitionRule) {
    this.#rule = rule;
  }

  /** Scans newly completed words; returns a cut at the first word of an n-gram seen once too often. */
  scan(raw: string, from: number): Cut | undefined {
    for (let index = Math.max(this.#scannedTo, from); index < raw.length; index += 1) {
      this.#scannedTo = index + 1;
      if (!/\s/.test(raw[index]!)) {
        this.#wordStart ??= index;
        continue;
      }
      if (this.#wordStart === undefined) continue;
      this.#words.push({ start: this.#wordStart, text: raw.slice(this.#wordStart, index).toLowerCase() });
      this.#wordStart = undefined;
      const count = this.#words.length;
      if (count < this.#rule.ngram) continue;
      const gram = this.#words.slice(count - this.#rule.ngram);
      const key = gram.map((word) => word.text).join(" ");
      const seen = (this.#counts.get(key) ?? 0) + 1;
      this.#counts.set(key, seen);
      if (seen > this.#rule.maxOccurrences) {
        return { index: gram[0]!.start, reason: { kind: "repetition", text: raw.slice(gram[0]!.start, index) } };
      }
      if (seen === this.#rule.maxOccurrences) {
        for (let length = 1; length < this.#rule.ngram; length += 1)
          this.#atRisk.add(
            gram
              .slice(0, length)
              .map((word) => word.text)
              .join(" "),
          );
      }
    }
    return undefined;
  }

  /** Text from here on could still be the start of a cut n-gram, so it must not be released yet. */
  holdFrom(raw: string, from: number): number {
    const whole = this.#rule.ngram <= 1 || this.#rule.maxOccurrences === 0;
    if (this.#atRisk.size === 0 && !whole) return raw.length;
    const partial = this.#wordStart ?? raw.length;
    if (whole) {
      // Any word can start a cut 1-gram (or any n-gram when none may occur):
      // hold the last n-1 complete words and the word being written.
      const keep = Math.max(0, this.#rule.ngram - 1);
      if (keep === 0) return partial;
      return this.#words.length >= keep ? this.#words[this.#words.length - keep]!.start : (this.#words[0]?.start ?? Math.max(from, partial > raw.length ? from : partial));
    }
    // The longest run of trailing complete words that begins an at-risk n-gram starts earliest.
    for (let length = Math.min(this.#rule.ngram - 1, this.#words.length); length >= 1; length -= 1) {
      const tail = this.#words.slice(this.#words.length - length);
      if (this.#atRisk.has(tail.map((word) => word.text).join(" "))) return tail[0]!.start;
    }
    return partial;
  }
}

/** Whitespace or a backtick: what a clean answer holds back at its end. */
function isHeldTail(code: number): boolean {
  return (
    code === 96 ||
    code === 32 ||
    code === 10 ||
    code === 13 ||
    code === 9 ||
    code === 12 ||
    code === 11 ||
    code === 160 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x3000 ||
    code === 0xfeff ||
    code === 0x1680 ||
    code === 0x202f ||
    code === 0x205f
  );
}

/** Length of the longest proper prefix of `stop` that `text` ends with. */
export function partialSuffix(text: string, stop: string): number {
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
