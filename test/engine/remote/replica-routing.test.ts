/**
 * The pure parts of scale-out: rendezvous routing (one key → one replica,
 * few keys move when replicas come and go, spill when saturated), the
 * routing key, the admission gate that follows the healthy capacity, and the
 * local max_tokens budget.
 */
import { describe, expect, it } from "vitest";
import { QueueFullError } from "../../../src/engine/engine.js";
import { AdmissionGate } from "../../../src/engine/remote/admission-gate.js";
import { affinityKey, rawPromptAffinityChars } from "../../../src/engine/remote/affinity-key.js";
import { CompletionBudget, maxCharsPerToken } from "../../../src/engine/remote/completion-budget.js";
import { pickReplica, rendezvousOrder, type ReplicaLoad } from "../../../src/engine/remote/pick-replica.js";

const ids = (count: number) => Array.from({ length: count }, (_, index) => `http://10.0.0.${index + 1}:8000/v1`);
const keys = Array.from({ length: 2000 }, (_, index) => `set-${index}`);
const loads = (count: number, override: Partial<ReplicaLoad>[] = []): ReplicaLoad[] => ids(count).map((id, index) => ({ id, healthy: true, inFlight: 0, capacity: 2, ...override[index] }));

describe("rendezvousOrder", () => {
  it("is a permutation that depends only on the key and the replica ids", () => {
    const order = rendezvousOrder("set-a", ids(5));
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(rendezvousOrder("set-a", ids(5))).toEqual(order);
    // Listing the replicas in another order does not change who wins.
    const reversed = [...ids(5)].reverse();
    expect(reversed[rendezvousOrder("set-a", reversed)[0]!]).toBe(ids(5)[order[0]!]);
  });

  it("spreads keys evenly, and adding a replica moves only the keys the new one wins (about 1/n)", () => {
    const before = keys.map((key) => ids(3)[rendezvousOrder(key, ids(3))[0]!]);
    const after = keys.map((key) => ids(4)[rendezvousOrder(key, ids(4))[0]!]);
    const perReplica = ids(3).map((id) => before.filter((winner) => winner === id).length);
    for (const count of perReplica) expect(count).toBeGreaterThan(2000 / 3 - 150);
    const moved = keys.filter((_, index) => before[index] !== after[index]);
    // Every moved key went to the new replica; none moved between the old ones.
    for (const key of moved) expect(after[keys.indexOf(key)]).toBe(ids(4)[3]);
    expect(moved.length / keys.length).toBeGreaterThan(0.18);
    expect(moved.length / keys.length).toBeLessThan(0.32);
  });

  it("moves only a removed replica's keys, each to its own second choice", () => {
    const three = ids(3);
    const two = [three[0]!, three[2]!];
    for (const key of keys.slice(0, 300)) {
      const order = rendezvousOrder(key, three);
      const winner = three[order[0]!]!;
      const next = two[rendezvousOrder(key, two)[0]!]!;
      if (winner !== three[1]) expect(next).toBe(winner);
      else expect(next).toBe(three[order[1]!]);
    }
  });
});

describe("pickReplica", () => {
  it("sends a key to its first choice while it has room", () => {
    const first = rendezvousOrder("set-a", ids(3))[0]!;
    expect(pickReplica("set-a", loads(3))).toEqual({ index: first, route: "affinity" });
  });

  it("spills to the least-loaded healthy replica with room when the first choice is saturated", () => {
    const [first, second, third] = rendezvousOrder("set-a", ids(3)) as [number, number, number];
    const state = loads(3);
    state[first]!.inFlight = 2;
    state[second]!.inFlight = 1;
    expect(pickReplica("set-a", state)).toEqual({ index: third, route: "spill" });
    state[third]!.inFlight = 1;
    // A tie goes to the key's earlier preference.
    expect(pickReplica("set-a", state)).toEqual({ index: second, route: "spill" });
    state[second]!.inFlight = 2;
    state[third]!.inFlight = 2;
    expect(pickReplica("set-a", state)).toEqual({ index: first, route: "overload" });
  });

  it("skips down and already-tried replicas, and tries a down one only when nothing healthy is left", () => {
    const [first, second, third] = rendezvousOrder("set-a", ids(3)) as [number, number, number];
    const state = loads(3);
    state[first]!.healthy = false;
    expect(pickReplica("set-a", state)).toEqual({ index: second, route: "affinity" });
    expect(pickReplica("set-a", state, new Set([second]))).toEqual({ index: third, route: "affinity" });
    expect(pickReplica("set-a", state, new Set([second, third]))).toEqual({ index: first, route: "unhealthy" });
    expect(pickReplica("set-a", state, new Set([first, second, third]))).toBeUndefined();
  });
});

describe("affinityKey", () => {
  it("keys a chat prompt by its fixed prefix only, and a raw prompt by its start", () => {
    const prefix = "# Instruction\nBe helpful.\n\n# Query:\nHi\n\n# Answer:\nHello!\n\n";
    expect(affinityKey(`${prefix}# Query:\nA?`, prefix.length)).toBe(affinityKey(`${prefix}# Query:\nB?`, prefix.length));
    expect(affinityKey(`${prefix}# Query:\nA?`, prefix.length)).not.toBe(affinityKey(`${prefix.replace("helpful", "brief")}# Query:\nA?`, prefix.length));
    const start = "x".repeat(rawPromptAffinityChars);
    expect(affinityKey(`${start}one`)).toBe(affinityKey(`${start}two`));
    expect(affinityKey("short one")).not.toBe(affinityKey("short two"));
  });
});

describe("AdmissionGate", () => {
  it("admits up to the capacity it reads now, queues the rest in order, and refuses past the queue", async () => {
    let capacity = 1;
    const gate = new AdmissionGate(() => capacity, 2);
    const release = await gate.acquire();
    const order: string[] = [];
    const second = gate.acquire().then((done) => {
      order.push("second");
      return done;
    });
    const third = gate.acquire().then((done) => {
      order.push("third");
      return done;
    });
    await expect(gate.acquire()).rejects.toBeInstanceOf(QueueFullError);
    expect({ admitted: gate.admitted, queued: gate.queued }).toEqual({ admitted: 1, queued: 2 });
    // A replica came back: capacity doubles, one waiter gets in without a release.
    capacity = 2;
    gate.wake();
    (await second)();
    expect(order).toEqual(["second"]);
    release();
    release();
    (await third)();
    expect(order).toEqual(["second", "third"]);
    expect(gate.admitted).toBe(0);
  });

  it("takes an aborted waiter out of the line", async () => {
    const gate = new AdmissionGate(() => 1, 4);
    const release = await gate.acquire();
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error("client left"));
    await expect(waiting).rejects.toThrow("client left");
    expect(gate.queued).toBe(0);
    release();
    expect(gate.admitted).toBe(0);
  });
});

describe("CompletionBudget", () => {
  it("takes as many tokens as asked and refuses the next", () => {
    const budget = new CompletionBudget(3);
    expect(["a", "b", "c"].map((text) => budget.take(text))).toEqual([
      { text: "a", exhausted: false },
      { text: "b", exhausted: false },
      { text: "c", exhausted: true },
    ]);
    expect(budget.take("d")).toBeUndefined();
    expect(budget.tokens).toBe(3);
  });

  it("cuts a huge piece at what that many tokens can spell, never inside a surrogate pair", () => {
    const budget = new CompletionBudget(2);
    const first = budget.take("y".repeat(maxCharsPerToken * 2 - 1) + "😀tail");
    expect(first).toEqual({ text: "y".repeat(maxCharsPerToken * 2 - 1), exhausted: true });
    expect(budget.take("z")).toBeUndefined();
  });
});
