/**
 * @module ab/judge/judge-backend
 * The contract of a judge model: any OpenAI-compatible chat endpoint or a
 * chat GGUF in this process answers one request with text. `askJudge`
 * parses the reply, retries a reply it cannot read (with a note saying what
 * was wrong), and returns a failure — to be counted, never dropped — when
 * the retries run out.
 */
import { retryNote, type JudgeMessages } from "./judge-prompts.js";
import { JudgeParseError } from "./parse-judgement.js";

/** Who judged, as reports state it. */
export interface JudgeDescription {
  kind: "remote" | "local";
  /** The model name (remote) or the GGUF file (local). */
  model: string;
  /** The endpoint, for a remote judge. */
  url?: string;
  /** Everything that makes its judgements what they are (part of their cache key). */
  identity: string;
}

export interface JudgeRequest extends JudgeMessages {
  temperature: number;
  seed: number;
  maxTokens: number;
}

export interface JudgeBackend {
  readonly description: JudgeDescription;
  /** The judge's reply text; throws `JudgeUnavailableError` when the judge cannot be reached. */
  complete(request: JudgeRequest): Promise<string>;
  dispose(): Promise<void>;
}

/** The judge cannot be reached or refuses the requests: the run stops (work done so far is kept). */
export class JudgeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JudgeUnavailableError";
  }
}

/** This one request cannot be judged (e.g. it does not fit a local judge's context): a failure, not retried. */
export class JudgeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JudgeInputError";
  }
}

export type JudgeAnswer<Value> =
  | { ok: true; value: Value; attempts: number }
  /** `raw`: the last reply, kept for the report. */
  | { ok: false; attempts: number; error: string; raw: string };

export interface AskOptions {
  /** Further attempts after the first unreadable reply. */
  retries: number;
  maxTokens: number;
  seed: number;
}

/** Asks, parses, retries; attempt 1 is greedy, later ones sample (temperature 0.5, another seed). */
export async function askJudge<Value>(backend: JudgeBackend, messages: JudgeMessages, parse: (text: string) => Value, options: AskOptions): Promise<JudgeAnswer<Value>> {
  let raw = "";
  let problem = "";
  for (let attempt = 1; attempt <= options.retries + 1; attempt += 1) {
    const user = attempt === 1 ? messages.user : messages.user + retryNote(problem);
    try {
      raw = await backend.complete({ system: messages.system, user, temperature: attempt === 1 ? 0 : 0.5, seed: options.seed + attempt - 1, maxTokens: options.maxTokens });
    } catch (error) {
      if (error instanceof JudgeInputError) return { ok: false, attempts: attempt, error: error.message, raw: "" };
      throw error;
    }
    try {
      return { ok: true, value: parse(raw), attempts: attempt };
    } catch (error) {
      if (!(error instanceof JudgeParseError)) throw error;
      problem = error.message;
    }
  }
  return { ok: false, attempts: options.retries + 1, error: problem, raw: raw.slice(0, 2000) };
}
