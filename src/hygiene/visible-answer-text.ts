/**
 * @module streaming/visible-answer-text
 * How much of a chat model's answer, decoded so far, a client may see: the
 * leading space its template leaves is dropped, the text is cut at the first
 * client stop string, and while the answer is still growing, the tail that
 * could be the start of a stop string (or half a UTF-8 character, decoded as
 * U+FFFD) is held back. The visible text only ever grows, so a stream can send
 * the difference.
 */

export interface VisibleAnswerText {
  text: string;
  /** True when a stop string appeared: the answer ends here. */
  stopped: boolean;
}

/** The visible part of `decoded`; `final`: the answer is complete (nothing held back). */
export function visibleAnswerText(decoded: string, stops: readonly string[], final: boolean): VisibleAnswerText {
  const text = decoded.trimStart();
  let at = -1;
  for (const stop of stops) {
    const found = stop.length > 0 ? text.indexOf(stop) : -1;
    if (found >= 0 && (at < 0 || found < at)) at = found;
  }
  if (at >= 0) return { text: text.slice(0, at), stopped: true };
  if (final) return { text, stopped: false };
  let end = text.length;
  // An undecodable tail is a character still arriving.
  while (end > 0 && text[end - 1] === "\uFFFD") end -= 1;
  const longestStop = Math.max(0, ...stops.map((stop) => stop.length));
  // Hold back just the tail that is a prefix of some stop string.
  for (let keep = Math.min(longestStop - 1, end); keep > 0; keep -= 1) {
    const tail = text.slice(end - keep, end);
    if (stops.some((stop) => stop.startsWith(tail))) {
      end -= keep;
      break;
    }
  }
  return { text: text.slice(0, end), stopped: false };
}
