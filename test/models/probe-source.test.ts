import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { networkErrorDetail, sha256From } from "../../src/models/probe-source.js";

const digest = createHash("sha256").update("model").digest();

describe("sha256From", () => {
  it("takes the hub's X-Linked-Etag (quoted, maybe weak) when it is a sha256", () => {
    const hex = digest.toString("hex");
    expect(sha256From(new Headers({ "x-linked-etag": `"${hex}"` }))).toBe(hex);
    expect(sha256From(new Headers({ "x-linked-etag": `W/"${hex.toUpperCase()}"` }))).toBe(hex);
    expect(sha256From(new Headers({ "x-linked-etag": `"abc123"` }))).toBeUndefined();
  });

  it("takes Repr-Digest or Digest with sha-256 (base64), ignoring other algorithms", () => {
    const base64 = digest.toString("base64");
    expect(sha256From(new Headers({ "repr-digest": `sha-512=:AAAA:, sha-256=:${base64}:` }))).toBe(digest.toString("hex"));
    expect(sha256From(new Headers({ digest: `SHA-256=${base64}` }))).toBe(digest.toString("hex"));
    expect(sha256From(new Headers({ digest: "md5=AAAA" }))).toBeUndefined();
  });

  it("ignores a plain ETag, which is not a content hash", () => {
    expect(sha256From(new Headers({ etag: `"${digest.toString("hex")}"` }))).toBeUndefined();
  });
});

describe("networkErrorDetail", () => {
  it("prefers the cause's code (what fetch failed on)", () => {
    expect(networkErrorDetail(new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }))).toBe("ECONNREFUSED");
    expect(networkErrorDetail(new TypeError("fetch failed", { cause: new Error("other side closed") }))).toBe("other side closed");
    expect(networkErrorDetail(new Error("plain"))).toBe("plain");
  });
});
