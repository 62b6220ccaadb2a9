/**
 * @module ab/judge/pair-preference
 * Combines the two orders of a pairwise judgement: each order gives the
 * candidate 1 (better), 0.5 (tie) or 0 (worse), and the pair's preference is
 * their mean, so a judge that always picks the first position yields a tie.
 * The verdict is the side of 0.5 the preference falls on.
 */
import type { PairJudgement, PairOrder } from "../offline/ab-results.js";

/** The preference and verdict of a pair's orders; null when an order failed or there are none. */
export function combineOrders(orders: readonly PairOrder[]): Pick<PairJudgement, "preference" | "verdict"> {
  if (orders.length === 0 || orders.some((order) => !order.ok)) return { preference: null, verdict: null };
  const points = orders.map((order): number => (order.ok ? (order.winner === "candidate" ? 1 : order.winner === "tie" ? 0.5 : 0) : 0));
  const preference = points.reduce((sum, value) => sum + value, 0) / points.length;
  return { preference, verdict: preference > 0.5 ? "win" : preference < 0.5 ? "loss" : "tie" };
}
