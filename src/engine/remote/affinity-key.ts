/**
 * @module engine/remote/affinity-key
 * What a request's upstream replica is chosen by: the hash of the prompt's
 * fixed prefix. For a chat request that is the exemplar set's rendered system
 * prompt and exemplars (so one set, with one client system message, is one
 * key, and a hot-reloaded set is a new one); for a raw completion, its first
 * characters, where prompts that share a long start share their KV cache. Pure.
 */
import { createHash } from "node:crypto";

/** Characters of a raw prompt (no known prefix) that key its replica. */
export const rawPromptAffinityChars = 2048;

/** The routing key of a prompt whose first `prefixChars` characters are its fixed prefix (undefined or 0: none known). */
export function affinityKey(promptText: string, prefixChars?: number): string {
  const end = prefixChars !== undefined && prefixChars > 0 ? prefixChars : rawPromptAffinityChars;
  return createHash("sha256").update(promptText.slice(0, end)).digest("base64url");
}
