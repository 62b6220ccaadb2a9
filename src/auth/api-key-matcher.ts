/**
 * @module auth/api-key-matcher
 * Checks a presented API key against the configured ones in constant time:
 * both sides are hashed to SHA-256 first (so their lengths do not show), and
 * every configured key is compared, a match or not.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Tells whether a presented key is one of the server's. */
export type ApiKeyMatcher = (presented: string) => boolean;

/** Builds a matcher for `keys`; with no keys nothing matches. */
export function createApiKeyMatcher(keys: readonly string[]): ApiKeyMatcher {
  const digests = keys.map(digest);
  return function matchesApiKey(presented: string): boolean {
    const candidate = digest(presented);
    let matched = false;
    // No early exit: the time taken does not depend on which key matched.
    for (const known of digests) matched = timingSafeEqual(known, candidate) || matched;
    return matched;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
