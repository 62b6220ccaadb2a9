/**
 * @module lifecycle/until-aborted
 * Waits for a promise, but no longer than an abort signal allows: a request
 * whose deadline passes (or whose client leaves) while a shared piece of
 * work (a grammar being built) is still running stops waiting at once; the
 * work itself carries on for whoever else waits on it.
 */

/** `promise`'s outcome, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
