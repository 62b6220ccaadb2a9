/**
 * @module cli/load-api-keys
 * The API keys `urial serve` accepts: those of `--api-key` / `URIAL_API_KEY`
 * plus those of `--api-keys-file`. Messages name the source, never a key.
 */
import { readFile } from "node:fs/promises";
import { ApiKeyError, parseApiKeysFile, validateApiKeys } from "../auth/parse-api-keys.js";

export { ApiKeyError };

/** The keys from the flag/variable list and the keys file, checked and without duplicates. */
export async function loadApiKeys(listed: readonly string[] | undefined, file: string | undefined): Promise<string[]> {
  const keys = validateApiKeys(listed ?? [], "--api-key (or URIAL_API_KEY)");
  if (file === undefined) return keys;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ApiKeyError(`--api-keys-file (or URIAL_API_KEYS_FILE) ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return [...new Set([...keys, ...parseApiKeysFile(text, file)])];
}
