/**
 * @module models/probe-source
 * One quick request to the server before any download starts: it fails fast
 * (one attempt, a time limit, no retries) when the machine is offline or the
 * file is missing, and learns what the server says about the file — its size
 * and, where the source gives one, its sha256 (the hub's `X-Linked-Etag`, or
 * a standard `Repr-Digest` / `Digest` header). node-llama-cpp's downloader
 * retries network errors up to 150 times, so without this an offline start
 * would hang for minutes.
 */

/** What the server said about a file. */
export interface SourceProbe {
  /** Bytes, when the server gave a length. */
  size: number | undefined;
  /** Lower-case hex sha256, when the server gave one. */
  sha256: string | undefined;
  /** Whether the server takes Range requests, so an interrupted download can resume. */
  acceptRanges: boolean;
}

/** Why a probe failed: the server could not be reached, or answered with an error status. */
export type ProbeFailure = { type: "unreachable"; detail: string } | { type: "status"; status: number; url: string };

/** Thrown by {@link probeSource}; the caller words the message. */
export class ProbeError extends Error {
  constructor(readonly failure: ProbeFailure) {
    super(failure.type === "unreachable" ? failure.detail : `HTTP ${failure.status}`);
    this.name = "ProbeError";
  }
}

export interface ProbeOptions {
  /** Time limit of each request. */
  timeoutMs: number;
  /** Extra headers for a URL (the hub token goes only to the hub). */
  headersFor?: (url: URL) => Record<string, string>;
  signal?: AbortSignal;
  /** Only check that the server answers (any status); used for `hf:<user>/<repo>:<quant>`, which node-llama-cpp resolves itself. */
  reachabilityOnly?: boolean;
}

const maxRedirects = 5;

/** Asks the server about `url` (HEAD, following up to 5 redirects by hand); throws `ProbeError`. */
export async function probeSource(url: string, options: ProbeOptions): Promise<SourceProbe> {
  let current = new URL(url);
  let sha256: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    let response = await request(current, "HEAD", options);
    if (options.reachabilityOnly) {
      await response.body?.cancel();
      return { size: undefined, sha256: undefined, acceptRanges: false };
    }
    // Some servers answer only GET (405/501), and presigned storage URLs are signed for GET alone (403).
    if (response.status === 403 || response.status === 405 || response.status === 501) {
      await response.body?.cancel().catch(() => undefined);
      response = await request(current, "GET", options);
    }
    await response.body?.cancel().catch(() => undefined);
    sha256 ??= sha256From(response.headers);
    linkedSize ??= sizeFrom(response.headers.get("x-linked-size"));
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current);
      continue;
    }
    if (response.status < 200 || response.status >= 300) throw new ProbeError({ type: "status", status: response.status, url: current.href });
    const length = response.status === 200 ? sizeFrom(response.headers.get("content-length")) : undefined;
    return { size: linkedSize ?? length, sha256, acceptRanges: response.headers.get("accept-ranges")?.toLowerCase() === "bytes" };
  }
  throw new ProbeError({ type: "unreachable", detail: `more than ${maxRedirects} redirects` });
}

async function request(url: URL, method: "HEAD" | "GET", options: ProbeOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    return await fetch(url, { method, redirect: "manual", headers: { "accept-encoding": "identity", ...options.headersFor?.(url) }, signal });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new ProbeError({ type: "unreachable", detail: `no answer within ${options.timeoutMs / 1000} s` });
    throw new ProbeError({ type: "unreachable", detail: networkErrorDetail(error) });
  }
}

/** The short reason of a failed `fetch` (`ECONNREFUSED`, `ENOTFOUND`, …). */
export function networkErrorDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** A sha256 the headers state: the hub's `X-Linked-Etag`, or `Repr-Digest` / `Digest` with sha-256. */
export function sha256From(headers: Headers): string | undefined {
  const linked = headers.get("x-linked-etag")?.replace(/^W\//, "").replace(/"/g, "").trim().toLowerCase();
  if (linked && /^[0-9a-f]{64}$/.test(linked)) return linked;
  for (const name of ["repr-digest", "digest"]) {
    const value = headers.get(name);
    const match = value ? /sha-256=:?([A-Za-z0-9+/=]+):?/i.exec(value) : null;
    if (match) {
      const bytes = Buffer.from(match[1]!, "base64");
      if (bytes.length === 32) return bytes.toString("hex");
    }
  }
  return undefined;
}

function sizeFrom(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}
