/**
 * @module auth/parse-api-keys
 * API keys from configuration: a list (flags, or a comma-separated variable)
 * and the text of a keys file (one key per line; blank lines and lines
 * starting with `#` are skipped). A key is printable ASCII without spaces, as
 * it must travel in an `Authorization: Bearer` header.
 */

const keyPattern = /^[\x21-\x7e]+$/;

/** Thrown for a key that cannot be used; the message never contains the key. */
export class ApiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiKeyError";
  }
}

/** Checks keys and drops duplicates; `source` names where they came from in messages. */
export function validateApiKeys(keys: readonly string[], source: string): string[] {
  keys.forEach((key, index) => {
    if (!keyPattern.test(key)) {
      throw new ApiKeyError(`${source}: key ${index + 1} is not usable (a key is printable ASCII without spaces, ${key.length} characters given)`);
    }
  });
  return [...new Set(keys)];
}

/** The keys in a keys file's text. */
export function parseApiKeysFile(text: string, source: string): string[] {
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const key = line.trim();
    if (key.length === 0 || key.startsWith("#")) return;
    if (!keyPattern.test(key)) throw new ApiKeyError(`${source}:${index + 1}: not a usable key (printable ASCII without spaces)`);
    keys.push(key);
  });
  if (keys.length === 0) throw new ApiKeyError(`${source}: no keys in the file (one key per line; # starts a comment)`);
  return [...new Set(keys)];
}
