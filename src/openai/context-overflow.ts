/**
 * @module openai/context-overflow
 * The 400 `context_length_exceeded` a request gets when its prompt and answer
 * do not fit a sequence, worded so the reader knows what to change: which part
 * of the prompt is the exemplar set and which is theirs, which smaller set
 * would fit these very messages, and what `--context-size` would hold them.
 * Pure: the counts are measured by the answer pipeline.
 */

export interface ContextOverflow {
  contextSize: number;
  promptTokens: number;
  /** The request's max_tokens, when it named one. */
  requested: number | null | undefined;
  /** The chat request's exemplar set and its share of the prompt; absent for raw completions. */
  set?: { name: string; prefixTokens: number };
  /** Other sets' prompt sizes for the same messages (measured by the answer pipeline); absent for raw completions. */
  otherSets?: readonly { name: string; promptTokens: number }[];
  /** Counted by a remote upstream's tokenizer. */
  countedByUpstream?: boolean;
}

/** The message of the one `context_length_exceeded` (`toErrorResponse` sends it), exported for the tests that pin its wording. */
export function contextOverflowMessage(overflow: ContextOverflow): string {
  const { contextSize, promptTokens, requested, set } = overflow;
  const wanted = requested ?? 1;
  const room = contextSize - promptTokens;
  const asked = requested === null || requested === undefined ? "at least 1 generated token" : `max_tokens ${requested}`;
  const parts = set === undefined ? "" : `: ${set.prefixTokens} for exemplar set '${set.name}' and ${promptTokens - set.prefixTokens} for your messages`;
  const counted = overflow.countedByUpstream === true ? " (counted by the upstream)" : "";
  const head = `This model's context holds ${contextSize} tokens per request, but the prompt has ${promptTokens} tokens${counted}${parts}, and the request needs ${asked} (${promptTokens} + ${wanted} > ${contextSize}).`;
  const fixes: string[] = [];
  if (room >= 1 && requested !== null && requested !== undefined) fixes.push(`lower max_tokens to at most ${room}`);
  if (set !== undefined) {
    const fitting = (overflow.otherSets ?? []).filter((other) => other.name !== set.name && other.promptTokens + wanted <= contextSize);
    // The largest set that fits keeps the most of URIAL's examples.
    const best = fitting.sort((a, b) => b.promptTokens - a.promptTokens || a.name.localeCompare(b.name))[0];
    if (best !== undefined) fixes.push(`use model 'urial/${best.name}' (a smaller exemplar set: ${best.promptTokens} tokens with these messages)`);
    fixes.push(`start the server with --context-size ${promptTokens + wanted} or more`);
    fixes.push("shorten the messages");
  } else fixes.push(overflow.countedByUpstream === true ? "shorten the messages" : "shorten the prompt");
  return `${head} To fix it, ${joinChoices(fixes)}.`;
}

function joinChoices(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")}, or ${items[items.length - 1]}`;
}
