/**
 * @module lifecycle/until-aborted
 * Waits for a promise, but no longer than an abort signal allows: a request
 * whose deadline passes (or whose client leaves) while a shared piece of
 * work (a grammar being built) is still running stops waiting at once; the
 * work itself carries on for whoever else waits on it.
 */

/**
 * `promise`'s outcome, or a rejection with the signal's reason as soon as it
 * aborts. `discard` receives a value that arrives after the abort (a slot
 * that must be released, say), since nobody else will.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, discard?: (late: T) => void): Promise<T> {
  if (!signal) return promise;
  let gaveUp = false;
  if (signal.aborted) {
    if (discard) promise.then(discard, () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      gaveUp = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (gaveUp) discard?.(value);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
