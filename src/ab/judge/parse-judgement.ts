/**
 * @module ab/judge/parse-judgement
 * Reads a judge's reply: the first complete JSON object in the text (code
 * fences and chatter around it are tolerated), checked against the format
 * asked for. A reply that does not fit throws `JudgeParseError` naming what
 * is wrong, so the caller can retry and, in the end, count it.
 */
import { judgeAspects, type JudgeAspect } from "./judge-aspects.js";

export class JudgeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JudgeParseError";
  }
}

/** The first JSON object in `text` that parses. */
export function extractJsonObject(text: string): Record<string, unknown> {
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    const end = matchingBrace(text, start);
    if (end < 0) break;
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not JSON from here; try the next brace.
    }
  }
  throw new JudgeParseError(text.trim().length === 0 ? "the reply is empty" : "no JSON object in the reply");
}

/** Index of the `}` closing the `{` at `start` (strings respected), or -1. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === "\\") index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === "{") depth += 1;
    else if (character === "}") {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

/** A pairwise verdict: which of the two answers, as shown, is better. */
export interface PairVerdict {
  winner: "A" | "B" | "tie";
  reason: string;
}

/** Parses `{"reason", "winner"}`; `winner` may be `A`, `B`, `tie` in any case, or `Answer A` and the like. */
export function parsePairVerdict(text: string): PairVerdict {
  const object = extractJsonObject(text);
  const raw = object.winner;
  if (typeof raw !== "string") throw new JudgeParseError('"winner" is missing or not a string');
  const normalized = raw
    .trim()
    .toLowerCase()
    .replace(/^(answer|assistant|response)\s+/, "");
  const winner = normalized === "a" ? "A" : normalized === "b" ? "B" : ["tie", "draw", "equal", "both", "neither"].includes(normalized) ? "tie" : undefined;
  if (winner === undefined) throw new JudgeParseError(`"winner" is '${raw.slice(0, 40)}', not A, B or tie`);
  return { winner, reason: typeof object.reason === "string" ? object.reason.trim() : "" };
}

/** A score of one aspect. */
export interface AspectScore {
  /** 1–5. */
  score: number;
  reason: string;
}

export type AspectScores = Record<JudgeAspect, AspectScore>;

/** Parses the six aspects, each `{"reason", "score"}` with a score from 1 to 5 (a numeric string is taken). */
export function parseAspectScores(text: string): AspectScores {
  const object = extractJsonObject(text);
  const scores = {} as AspectScores;
  for (const aspect of judgeAspects) {
    const entry = object[aspect];
    if (entry === undefined) throw new JudgeParseError(`"${aspect}" is missing`);
    // A bare number is accepted as the score without a reason.
    const value = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>).score : entry;
    const score = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(score) || score < 1 || score > 5) throw new JudgeParseError(`"${aspect}.score" is ${JSON.stringify(value)?.slice(0, 20) ?? "missing"}, not a number from 1 to 5`);
    const reason = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>).reason : undefined;
    scores[aspect] = { score, reason: typeof reason === "string" ? reason.trim() : "" };
  }
  return scores;
}
