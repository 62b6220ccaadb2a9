// @ts-check
/**
 * @module playground/tally
 * Votes per pair of columns: which pairs a comparison of N columns offers to
 * vote on, and the running tally of stored votes. A column is named by its
 * model id and the exemplar set that answered (`urial · urial-help@1.0`), so
 * a new version of a set starts a fresh tally; (A, B) and (B, A) are one pair.
 * Pure.
 */

/**
 * @typedef {{ model: string, exemplar_set?: string | null }} VoteSide
 * @typedef {{ a: VoteSide, b: VoteSide, winner: "a" | "b" | "tie" }} Vote
 * @typedef {{ first: string, second: string, firstWins: number, secondWins: number, ties: number, total: number }} TallyRow
 */

/**
 * Every pair (i, j), i < j, of `count` columns, in reading order.
 * @param {number} count
 * @returns {[number, number][]}
 */
export function columnPairs(count) {
  /** @type {[number, number][]} */
  const pairs = [];
  for (let i = 0; i < count; i += 1) for (let j = i + 1; j < count; j += 1) pairs.push([i, j]);
  return pairs;
}

/**
 * The name a column goes by in the tally.
 * @param {VoteSide} side
 * @returns {string}
 */
export function sideLabel(side) {
  return side.exemplar_set ? `${side.model} · ${side.exemplar_set}` : side.model;
}

/**
 * One row per pair of columns that has votes, most votes first (then by name).
 * A vote between two answers of the same column name counts as a tie-break-free row of its own.
 * @param {readonly Vote[]} votes
 * @returns {TallyRow[]}
 */
export function tallyVotes(votes) {
  /** @type {Map<string, TallyRow>} */
  const rows = new Map();
  for (const vote of votes) {
    const a = sideLabel(vote.a);
    const b = sideLabel(vote.b);
    const [first, second] = a <= b ? [a, b] : [b, a];
    const key = JSON.stringify([first, second]);
    let row = rows.get(key);
    if (!row) {
      row = { first, second, firstWins: 0, secondWins: 0, ties: 0, total: 0 };
      rows.set(key, row);
    }
    row.total += 1;
    if (vote.winner === "tie") row.ties += 1;
    else {
      const winner = vote.winner === "a" ? a : b;
      // Same label on both sides: credit the first slot.
      if (winner === first) row.firstWins += 1;
      else row.secondWins += 1;
    }
  }
  return [...rows.values()].sort((x, y) => y.total - x.total || x.first.localeCompare(y.first) || x.second.localeCompare(y.second));
}

/**
 * "62 % – 25 % (13 % ties)" for a row: shares of its votes.
 * @param {TallyRow} row
 * @returns {string}
 */
export function describeRow(row) {
  const percent = (/** @type {number} */ n) => `${Math.round((100 * n) / row.total)} %`;
  return `${percent(row.firstWins)} – ${percent(row.secondWins)} (${percent(row.ties)} ties)`;
}
