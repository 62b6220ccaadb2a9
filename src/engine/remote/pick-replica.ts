/**
 * @module engine/remote/pick-replica
 * Which upstream replica serves a request, by rendezvous hashing (the
 * "highest random weight" form of consistent hashing): every replica gets a
 * score from the hash of (key, replica), and the key's replicas in score
 * order are its preference list. One prefix therefore goes to one replica;
 * adding a replica moves only the keys it now wins (about 1/n of them), and
 * removing one moves only its own keys, each to its own second choice. When
 * the first choice is saturated the request spills to the least-loaded
 * healthy replica. Pure.
 */
import { createHash } from "node:crypto";

/** What routing needs to know about one replica right now. */
export interface ReplicaLoad {
  /** Stable identity (its URL): what the hash scores. */
  id: string;
  healthy: boolean;
  /** Requests it is serving now. */
  inFlight: number;
  /** Requests it may serve at once (`--parallel`). */
  capacity: number;
}

/**
 * `affinity`: the key's first healthy choice; `spill`: that one was
 * saturated, so the least-loaded healthy replica with room; `overload`: every
 * healthy replica is full (the least loaded takes it); `unhealthy`: none is
 * healthy, so an untried one is tried anyway (its state may be stale).
 */
export type RouteKind = "affinity" | "spill" | "overload" | "unhealthy";

export interface ReplicaChoice {
  index: number;
  route: RouteKind;
}

/** The replicas' indexes in the key's preference order (highest score first). */
export function rendezvousOrder(key: string, ids: readonly string[]): number[] {
  const scores = ids.map((id) => createHash("sha256").update(key).update("\0").update(id).digest().readBigUInt64BE(0));
  return ids.map((_, index) => index).sort((a, b) => (scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : a - b));
}

/** The replica for `key`, skipping the indexes in `exclude` (already tried); undefined when none is left. */
export function pickReplica(key: string, replicas: readonly ReplicaLoad[], exclude: ReadonlySet<number> = new Set()): ReplicaChoice | undefined {
  const order = rendezvousOrder(
    key,
    replicas.map((replica) => replica.id),
  ).filter((index) => !exclude.has(index));
  const healthy = order.filter((index) => replicas[index]!.healthy);
  if (healthy.length === 0) {
    const untried = order[0];
    return untried === undefined ? undefined : { index: untried, route: "unhealthy" };
  }
  const first = healthy[0]!;
  if (hasRoom(replicas[first]!)) return { index: first, route: "affinity" };
  const withRoom = healthy.filter((index) => hasRoom(replicas[index]!));
  if (withRoom.length > 0) return { index: leastLoaded(withRoom, replicas), route: "spill" };
  return { index: leastLoaded(healthy, replicas), route: "overload" };
}

function hasRoom(replica: ReplicaLoad): boolean {
  return replica.inFlight < replica.capacity;
}

/** The index with the lowest load share; ties go to the earlier one in `indexes` (the key's preference). */
function leastLoaded(indexes: readonly number[], replicas: readonly ReplicaLoad[]): number {
  let best = indexes[0]!;
  for (const index of indexes) {
    const replica = replicas[index]!;
    const bestReplica = replicas[best]!;
    if (replica.inFlight / replica.capacity < bestReplica.inFlight / bestReplica.capacity) best = index;
  }
  return best;
}
