import { describe, expect, it } from "vitest";
import { QueueFullError } from "../../src/engine/engine.js";
import { commonPrefixLength, SequencePool, type PoolMember } from "../../src/engine/sequence-pool.js";

/** A sequence that only knows its name and the tokens it holds. */
class FakeMember implements PoolMember {
  constructor(
    readonly name: string,
    public tokens: number[] = [],
  ) {}

  cachedTokens(): readonly number[] {
    return this.tokens;
  }
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("commonPrefixLength", () => {
  it("counts the shared leading tokens", () => {
    expect(commonPrefixLength([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(commonPrefixLength([1, 2], [1, 2, 3])).toBe(2);
    expect(commonPrefixLength([9], [1])).toBe(0);
    expect(commonPrefixLength([], [1])).toBe(0);
  });
});

describe("SequencePool", () => {
  it("needs at least one member", () => {
    expect(() => new SequencePool<FakeMember>([], 4)).toThrow("a sequence pool needs at least one sequence");
  });

  it("hands out the free member sharing the longest prefix with the prompt", async () => {
    const a = new FakeMember("a", [1, 2, 3]);
    const b = new FakeMember("b", [1, 9]);
    const c = new FakeMember("c", []);
    const pool = new SequencePool([a, b, c], 4);
    expect((await pool.acquire([1, 9, 9])).name).toBe("b");
    expect((await pool.acquire([1, 2, 3, 4])).name).toBe("a");
    expect((await pool.acquire([1, 2, 3, 4])).name).toBe("c");
  });

  it("prefers a warm prefix over an empty member", async () => {
    const empty = new FakeMember("empty", []);
    const warm = new FakeMember("warm", [5, 6]);
    const pool = new SequencePool([empty, warm], 4);
    expect((await pool.acquire([5, 6, 7])).name).toBe("warm");
  });

  it("does not evict a warm prefix for a prompt sharing only its first token", async () => {
    // Every prompt shares BOS (1); taking `warm` would throw away 10 cached tokens to save one.
    const warm = new FakeMember("warm", [1, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    const empty = new FakeMember("empty", []);
    const pool = new SequencePool([warm, empty], 4);
    expect((await pool.acquire([1, 2, 3])).name).toBe("empty");
  });

  it("takes the member that needs the least work: fewest tokens to evaluate plus cached tokens dropped", async () => {
    // cost = prompt − shared + held − shared: long 10 − 4 + 4 − 4 = 6; short 10 − 2 + 2 − 2 = 8.
    const short = new FakeMember("short", [1, 2]);
    const long = new FakeMember("long", [1, 2, 3, 4]);
    const pool = new SequencePool([short, long], 4);
    expect((await pool.acquire([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).name).toBe("long");
  });

  it("breaks a tie with the member holding the fewest tokens", async () => {
    // Both cost 3: shared (3 − 1 + 2 − 1) and empty (3 − 0 + 0 − 0).
    const shared = new FakeMember("shared", [1, 9]);
    const empty = new FakeMember("empty", []);
    const pool = new SequencePool([shared, empty], 4);
    expect((await pool.acquire([1, 2, 3])).name).toBe("empty");
  });

  it("breaks a tie of equal cost and size by pool order", async () => {
    const first = new FakeMember("first", [7]);
    const second = new FakeMember("second", [8]);
    const pool = new SequencePool([first, second], 4);
    expect((await pool.acquire([1])).name).toBe("first");
  });

  it("gives a prompt sharing nothing the emptiest member, sparing warm prefixes", async () => {
    const warmA = new FakeMember("warmA", [7, 7, 7]);
    const empty = new FakeMember("empty", []);
    const warmB = new FakeMember("warmB", [8, 8]);
    const pool = new SequencePool([warmA, empty, warmB], 4);
    expect((await pool.acquire([1, 2])).name).toBe("empty");
    expect((await pool.acquire([1, 2])).name).toBe("warmB");
  });

  it("counts busy members and queued requests", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    expect(pool.busy).toBe(0);
    const held = await pool.acquire([1]);
    expect(pool.busy).toBe(1);
    const waiting = pool.acquire([2]);
    expect(pool.queued).toBe(1);
    pool.release(held);
    expect(await waiting).toBe(member);
    expect(pool.queued).toBe(0);
    expect(pool.busy).toBe(1);
    pool.release(member);
    expect(pool.busy).toBe(0);
  });

  it("serves waiters first in, first out", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    const served: string[] = [];
    const first = pool.acquire([1]).then((m) => served.push("first") && m);
    const second = pool.acquire([2]).then((m) => served.push("second") && m);
    const third = pool.acquire([3]).then((m) => served.push("third") && m);
    pool.release(held);
    await first;
    expect(served).toEqual(["first"]);
    pool.release(member);
    await second;
    pool.release(member);
    await third;
    expect(served).toEqual(["first", "second", "third"]);
  });

  it("queues a new request behind waiters even if a member is just being released", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    const served: string[] = [];
    void pool.acquire([1]).then(() => served.push("early"));
    pool.release(held);
    void pool.acquire([2]).then(() => served.push("late"));
    await settle();
    expect(served).toEqual(["early"]);
    expect(pool.queued).toBe(1);
  });

  it("rejects with QueueFullError when maxQueue requests are waiting", async () => {
    const pool = new SequencePool([new FakeMember("only")], 2);
    await pool.acquire([]);
    void pool.acquire([1]);
    void pool.acquire([2]);
    const full = pool.acquire([3]);
    await expect(full).rejects.toBeInstanceOf(QueueFullError);
    await expect(full).rejects.toMatchObject({ queued: 2 });
    expect(pool.queued).toBe(2);
  });

  it("with maxQueue 0 rejects at once when every member is busy", async () => {
    const pool = new SequencePool([new FakeMember("only")], 0);
    await pool.acquire([]);
    await expect(pool.acquire([1])).rejects.toBeInstanceOf(QueueFullError);
  });

  it("removes a waiter whose signal aborts and rejects it with the reason", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    const controller = new AbortController();
    const aborted = pool.acquire([1], controller.signal);
    const next = pool.acquire([2]);
    expect(pool.queued).toBe(2);
    const reason = new Error("client went away");
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(pool.queued).toBe(1);
    pool.release(held);
    // The member goes to the next waiter, not to the aborted one.
    expect(await next).toBe(member);
  });

  it("returns the member to the pool when the only waiter aborted", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    const controller = new AbortController();
    const aborted = pool.acquire([1], controller.signal);
    controller.abort();
    await expect(aborted).rejects.toBeDefined();
    pool.release(held);
    expect(pool.busy).toBe(0);
    expect(await pool.acquire([3])).toBe(member);
  });

  it("rejects a request whose signal is already aborted", async () => {
    const pool = new SequencePool([new FakeMember("only")], 4);
    const controller = new AbortController();
    const reason = new Error("already gone");
    controller.abort(reason);
    // The engine awaits acquire inside an async function, so a throw and a rejection reach the caller alike.
    await expect((async () => pool.acquire([1], controller.signal))()).rejects.toBe(reason);
    expect(pool.busy).toBe(0);
  });

  it("ignores an abort after the waiter was served", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    const controller = new AbortController();
    const waiting = pool.acquire([1], controller.signal);
    pool.release(held);
    expect(await waiting).toBe(member);
    const other = pool.acquire([2]);
    expect(pool.queued).toBe(1);
    controller.abort();
    // The late abort must not remove (or reject) someone else's place in line.
    expect(pool.queued).toBe(1);
    pool.release(member);
    expect(await other).toBe(member);
  });

  it("treats a second release of a free member as harmless", async () => {
    const member = new FakeMember("only");
    const pool = new SequencePool([member], 4);
    const held = await pool.acquire([]);
    pool.release(held);
    pool.release(held);
    expect(pool.busy).toBe(0);
    expect(await pool.acquire([])).toBe(member);
    // Had the member been freed twice, this would get it again instead of waiting.
    const second = pool.acquire([]);
    expect(pool.queued).toBe(1);
    expect(pool.busy).toBe(1);
    pool.release(member);
    expect(await second).toBe(member);
  });
});
