import { describe, expect, it } from "vitest";
import { RequestTracker } from "../../src/lifecycle/request-tracker.js";

describe("RequestTracker", () => {
  it("counts requests in flight, once each however often they end", () => {
    const tracker = new RequestTracker();
    const a = tracker.begin();
    const b = tracker.begin();
    expect(tracker.inFlight).toBe(2);
    a.end();
    a.end();
    expect(tracker.inFlight).toBe(1);
    b.end();
    expect(tracker.inFlight).toBe(0);
  });

  it("aborts a request with the client's reason when its client leaves, and stops listening once it ended", () => {
    const tracker = new RequestTracker();
    const client = new AbortController();
    const scope = tracker.begin({ clientSignal: client.signal });
    client.abort("gone");
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBe("gone");

    const later = new AbortController();
    const ended = tracker.begin({ clientSignal: later.signal });
    ended.end();
    later.abort("too late");
    expect(ended.signal.aborted).toBe(false);
  });

  it("aborts at the time limit with the given reason, and never after the request ended", async () => {
    const tracker = new RequestTracker();
    const slow = tracker.begin({ timeoutMs: 20, timeoutReason: () => "limit" });
    const quick = tracker.begin({ timeoutMs: 20, timeoutReason: () => "limit" });
    quick.end();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(slow.signal.reason).toBe("limit");
    expect(quick.signal.aborted).toBe(false);
  });

  it("drains: waits for running requests, then resolves at once when they end", async () => {
    const tracker = new RequestTracker();
    const scope = tracker.begin();
    setTimeout(() => scope.end(), 30);
    const result = await tracker.drain({ deadlineMs: 10_000, abortReason: () => "shutdown" });
    expect(result).toEqual({ finished: 1, stoppedWaiting: 0, aborted: 0, remaining: 0 });
    expect(scope.signal.aborted).toBe(false);
    expect(tracker.draining).toBe(true);
  });

  it("drains: aborts what is still running at the deadline, and reports what did not end within the grace period", async () => {
    const tracker = new RequestTracker();
    const obedient = tracker.begin();
    const stubborn = tracker.begin();
    obedient.signal.addEventListener("abort", () => obedient.end());
    const result = await tracker.drain({ deadlineMs: 20, abortReason: () => "shutdown", graceMs: 30 });
    expect(result).toEqual({ finished: 0, stoppedWaiting: 0, aborted: 2, remaining: 1 });
    expect(obedient.signal.reason).toBe("shutdown");
    expect(stubborn.signal.reason).toBe("shutdown");
  });

  it("drains an idle tracker at once", async () => {
    expect(await new RequestTracker().drain({ deadlineMs: 60_000, abortReason: () => "x" })).toEqual({ finished: 0, stoppedWaiting: 0, aborted: 0, remaining: 0 });
  });
});
