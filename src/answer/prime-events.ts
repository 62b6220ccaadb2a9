/**
 * @module answer/prime-events
 * Runs an event stream up to its first `ready` event before a streamed
 * response is committed, so a failure before that point (a remote engine's
 * upstream down or too slow, a timeout in prefill) is answered with its own
 * HTTP status instead of a 200 whose stream carries an error. Events pulled
 * while priming are replayed first.
 */

/**
 * Pulls `events` until one satisfies `ready` (or they end); errors until then
 * are thrown here. The returned generator yields the pulled events, then the rest.
 */
export async function primeEvents<Event>(events: AsyncGenerator<Event>, ready: (event: Event) => boolean): Promise<AsyncGenerator<Event>> {
  const pulled: Event[] = [];
  let ended = false;
  for (;;) {
    const next = await events.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    pulled.push(next.value);
    if (ready(next.value)) break;
  }
  return (async function* replay(): AsyncGenerator<Event> {
    try {
      yield* pulled;
      if (!ended) yield* events;
    } finally {
      // A consumer that stops early stops the source too.
      await events.return(undefined);
    }
  })();
}
