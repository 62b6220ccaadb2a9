/**
 * @module test/alignment/support/styleshot
 * The styleshot pair (a small base that learns answer style in context, and
 * its chat twin; see ../shared/models/README.md), the questions from its
 * synthetic world the alignment tests ask, and the settings they run with.
 * Suites that need the files are skipped, with the reason in their title
 * and a warning, when they are absent.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const fromRepository = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** `URIAL_STYLESHOT_BASE`, else `../shared/models/styleshot-base.gguf`. */
export const styleshotBasePath = process.env.URIAL_STYLESHOT_BASE ? resolve(process.env.URIAL_STYLESHOT_BASE) : fromRepository("../shared/models/styleshot-base.gguf");
/** `URIAL_STYLESHOT_CHAT`, else `../shared/models/styleshot-chat.gguf`. */
export const styleshotChatPath = process.env.URIAL_STYLESHOT_CHAT ? resolve(process.env.URIAL_STYLESHOT_CHAT) : fromRepository("../shared/models/styleshot-chat.gguf");

export const styleshotBaseExists = existsSync(styleshotBasePath);
export const styleshotPairExists = styleshotBaseExists && existsSync(styleshotChatPath);

/** The project's own exemplar sets and system prompts (the real ones users serve). */
export const projectCatalog = {
  exemplarsDir: fromRepository("exemplars"),
  systemPromptsDir: fromRepository("system-prompts"),
};

/** A test fixture folder. */
export const fixturePath = (path: string) => fromRepository(`test/fixtures/${path}`);

/** A suite title that says why it did not run. */
export function styleshotSuiteTitle(title: string, needsChat = false): string {
  const missing = !styleshotBaseExists
    ? `no styleshot base model at ${styleshotBasePath} (set URIAL_STYLESHOT_BASE)`
    : needsChat && !styleshotPairExists
      ? `no styleshot chat model at ${styleshotChatPath} (set URIAL_STYLESHOT_CHAT)`
      : undefined;
  if (missing === undefined) return title;
  console.warn(`[skipped] ${title}: ${missing}`);
  return `${title} — SKIPPED: ${missing}`;
}

/**
 * One thread (the model decodes ~450 tokens/s on one; more threads are
 * slower on 2 cores), no GPU, the model's whole 4,096-token context (the
 * `urial-help` prefix alone is ~3,100 tokens).
 */
export const styleshotEngineSettings = { threads: 1, batchThreads: 1, gpu: false, contextSize: 4096 } as const;

/**
 * Twenty questions from the model's world (small arithmetic, parity,
 * counting and spelling of common words, a few WordNet-style definitions
 * and synonyms), none of them an exemplar of the project's sets. Their
 * answers, in URIAL style, take 110–200 tokens.
 */
export const worldQuestions = [
  "Is 205 an even number?",
  "What is 7 plus 5?",
  "How many letters are in the word garden?",
  "What is 12 minus 4?",
  "Is 48 an even number?",
  "What is 6 times 3?",
  "How do you spell the word neighbor?",
  "What is 9 plus 8?",
  "Is 31 an odd number?",
  "What is 15 minus 7?",
  "What does the word blanket mean?",
  "Count the letters in the word pencil.",
  "What is 4 times 4?",
  "How do you spell the word wealth?",
  "What is 3 plus 11?",
  "Is 72 an even number?",
  "How many letters are in the word river?",
  "What is 20 minus 6?",
  "What does the word meal mean?",
  "How do you spell the word roll?",
] as const;
