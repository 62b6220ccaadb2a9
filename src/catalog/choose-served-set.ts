/**
 * @module catalog/choose-served-set
 * Which exemplar set `urial serve` answers model `urial` with, once the
 * model's context is known. A default set that cannot fit is swapped for the
 * largest set that does (so a newcomer's first request works); a set the user
 * named is never swapped, but the notice says which sets would fit. Pure: the
 * sets' prompt sizes are measured by the caller.
 */

/** A set's prompt size with a short sample query. */
export interface MeasuredSet {
  name: string;
  promptTokens: number;
}

export interface ServedSetInput {
  sets: readonly MeasuredSet[];
  /** The set configured as `urial`. */
  current: string;
  /** True when the user named it (--exemplars, URIAL_EXEMPLARS or a config file). */
  explicit: boolean;
  contextSize: number;
  /** Tokens an answer needs room for. */
  answerTokens: number;
}

export interface ServedSetChoice {
  /** The set to serve as `urial` (the current one unless it was swapped). */
  serve: string;
  /** One line for the start-up log, absent when everything fits. */
  notices: string[];
}

export function chooseServedSet(input: ServedSetInput): ServedSetChoice {
  const { contextSize, answerTokens } = input;
  const fits = (set: MeasuredSet) => set.promptTokens + answerTokens <= contextSize;
  const tooLarge = input.sets.filter((set) => !fits(set));
  const fitting = input.sets.filter(fits).sort((a, b) => b.promptTokens - a.promptTokens || a.name.localeCompare(b.name));
  const current = input.sets.find((set) => set.name === input.current);
  const notices: string[] = [];
  let serve = input.current;
  if (current !== undefined && !fits(current)) {
    const size = `'${current.name}' (${current.promptTokens} tokens with a short query, + ${answerTokens} for the answer)`;
    const keepIt = `--context-size ${current.promptTokens + answerTokens}`;
    const best = fitting[0];
    if (best === undefined) {
      notices.push(
        `no exemplar set fits the context of ${contextSize} tokens: ${size} is served as 'urial' and its requests will get 400 context_length_exceeded; start with ${keepIt} or more, or add a smaller set`,
      );
    } else if (!input.explicit) {
      serve = best.name;
      notices.push(
        `the default exemplar set ${size} does not fit the context of ${contextSize} tokens: serving '${best.name}' (${best.promptTokens} tokens) as 'urial' instead; pass --exemplars to choose, or ${keepIt} to keep '${current.name}'`,
      );
    } else {
      notices.push(
        `exemplar set ${size} does not fit the context of ${contextSize} tokens, so requests to 'urial' will get 400 context_length_exceeded; sets that fit: ${fitting.map((set) => `${set.name} (${set.promptTokens})`).join(", ")}; use --exemplars ${best.name}, or ${keepIt}`,
      );
    }
  }
  const others = tooLarge.filter((set) => set.name !== input.current);
  if (others.length > 0) {
    notices.push(
      `note: ${others.length === 1 ? "this exemplar set does" : "these exemplar sets do"} not fit the context of ${contextSize} tokens with a ${answerTokens}-token answer (requests naming them get 400): ${others.map((set) => `urial/${set.name} (${set.promptTokens})`).join(", ")}`,
    );
  }
  return { serve, notices };
}
