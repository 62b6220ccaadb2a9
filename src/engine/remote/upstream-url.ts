/**
 * @module engine/remote/upstream-url
 * Where an OpenAI-compatible upstream answers: its `/v1` base (completions,
 * models) and its root (llama-server's and vLLM's `/tokenize`, `/props`,
 * `/health`). Credentials in the URL are refused: they would end up in logs.
 */

export interface UpstreamUrl {
  /** `…/v1`, no trailing slash. */
  v1: string;
  /** The server root (the `/v1` base without `/v1`), no trailing slash. */
  root: string;
}

/** Thrown for a URL that cannot name an upstream. */
export class UpstreamUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstreamUrlError";
  }
}

/** Accepts `http(s)://host:port`, `…/v1`, `…/prefix/v1` (a trailing slash is fine). */
export function parseUpstreamUrl(text: string): UpstreamUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UpstreamUrlError(`'${text}' is not a URL (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UpstreamUrlError(`'${text}' must be an http:// or https:// URL`);
  if (url.username !== "" || url.password !== "") throw new UpstreamUrlError("the upstream URL must not carry credentials; pass the key with --upstream-api-key");
  if (url.search !== "" || url.hash !== "") throw new UpstreamUrlError(`'${text}' must not have a query or a fragment`);
  const path = url.pathname.replace(/\/+$/, "");
  const root = path.endsWith("/v1") ? path.slice(0, -"/v1".length) : path;
  const origin = `${url.protocol}//${url.host}`;
  return { v1: `${origin}${root}/v1`, root: `${origin}${root}` };
}
