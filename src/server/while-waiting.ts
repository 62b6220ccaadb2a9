/**
 * @module server/while-waiting
 * Marks the part of a request that only waits (for its body, for a free
 * sequence), so a shutdown can answer it with 503 at once instead of after
 * its deadline; without the lifecycle middleware (bare tests) it only honours
 * the request's abort signal.
 */
import type { Context } from "hono";
import { untilAborted } from "../lifecycle/until-aborted.js";

/** `promise`, marked as waiting on the request's scope; rejects with the abort reason when the request is stopped. */
export function whileWaiting<T>(c: Context, promise: Promise<T>, discard?: (late: T) => void): Promise<T> {
  const scope = c.get("requestScope") as { waitFor<V>(promise: Promise<V>, discard?: (late: V) => void): Promise<V> } | undefined;
  if (scope) return scope.waitFor(promise, discard);
  return untilAborted(promise, c.get("requestSignal") as AbortSignal | undefined, discard);
}
