// @ts-check
/**
 * @module playground/shift-view
 * What the token-shift view shows of a `/v1/shift` document: each answer
 * token with its category under one base context (η = 1 unshifted, 2–3
 * marginal, > 3 shifted — the categories and numbers of `urial shift`), the
 * summary line, and the three top-k tables of a clicked position. Pure: it
 * builds data; `main.js` turns it into elements (as text, never as HTML).
 */

/**
 * @typedef {"zeroShot" | "urial"} ContextName
 * @typedef {{ id: number, text: string, probability: number }} TopToken
 * @typedef {{ rank: number, probability: number, top: TopToken[], category?: string, kl?: number }} Score
 * @typedef {{ position: number, tokenId: number, text: string, special: boolean, chat: Score, zeroShot: Score, urial: Score }} Position
 */

export const contextLabels = /** @type {const} */ ({ zeroShot: "base, zero-shot", urial: "base, URIAL" });

/**
 * A token's text made visible: line breaks and tabs get a mark (and the line break is kept), an empty token shows as ∅.
 * @param {string} text
 * @returns {string}
 */
export function visibleTokenText(text) {
  if (text.length === 0) return "∅";
  return text.replace(/\t/g, "→\t").replace(/\r?\n/g, "↵\n");
}

/**
 * The colour class of a position under a context, from the rank alone (so a
 * hand-made document cannot smuggle in another class name).
 * @param {Position} position
 * @param {ContextName} context
 * @returns {"unshifted" | "marginal" | "shifted"}
 */
export function tokenCategory(position, context) {
  const rank = position[context].rank;
  if (rank <= 1) return "unshifted";
  return rank <= 3 ? "marginal" : "shifted";
}

/**
 * The tooltip of a token: its base rank and probabilities.
 * @param {Position} position
 * @param {ContextName} context
 * @returns {string}
 */
export function tokenTitle(position, context) {
  const score = position[context];
  return `#${position.position} ${JSON.stringify(position.text)}: base rank η = ${score.rank} (${tokenCategory(position, context)}), base p = ${formatProbability(score.probability)}, chat p = ${formatProbability(position.chat.probability)}`;
}

/**
 * "zero-shot: 80 % unshifted, 5 % marginal, 15 % shifted" from the positions themselves.
 * @param {readonly Position[]} positions
 * @param {ContextName} context
 * @returns {{ unshifted: number, marginal: number, shifted: number, text: string }}
 */
export function splitLine(positions, context) {
  const counts = { unshifted: 0, marginal: 0, shifted: 0 };
  for (const position of positions) counts[tokenCategory(position, context)] += 1;
  const total = positions.length;
  const share = (/** @type {number} */ n) => (total === 0 ? "–" : `${Math.round((100 * n) / total)} %`);
  return { ...counts, text: `${contextLabels[context]}: ${share(counts.unshifted)} unshifted, ${share(counts.marginal)} marginal, ${share(counts.shifted)} shifted (${total} tokens)` };
}

/**
 * The three top-k tables for one position: the chat model's, then the base model's under each context; the answer's token marked.
 * @param {Position} position
 * @returns {{ caption: string, rows: { text: string, probability: string, isAnswer: boolean }[] }[]}
 */
export function topTables(position) {
  /** @type {[string, Score][]} */
  const views = [
    ["chat model", position.chat],
    [`${contextLabels.zeroShot} (η = ${position.zeroShot.rank})`, position.zeroShot],
    [`${contextLabels.urial} (η = ${position.urial.rank})`, position.urial],
  ];
  return views.map(([caption, score]) => ({
    caption,
    rows: score.top.map((entry) => ({ text: visibleTokenText(entry.text), probability: formatProbability(entry.probability), isAnswer: entry.id === position.tokenId })),
  }));
}

/**
 * @param {number} probability
 * @returns {string}
 */
export function formatProbability(probability) {
  if (probability >= 0.001) return probability.toFixed(3);
  if (probability <= 0) return "0";
  return probability.toExponential(1);
}
