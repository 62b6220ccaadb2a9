/**
 * @module server/middleware/browser-guard
 * Keeps web pages in the operator's own browser from driving the server (a
 * keyless server on 127.0.0.1 is otherwise reachable from any site the
 * operator visits), as Ollama does by default:
 *
 * - JSON routes take only `Content-Type: application/json` (415 otherwise).
 *   The content types a page may send cross-origin without a CORS preflight
 *   (`text/plain`, forms) are exactly the ones refused.
 * - A request that carries an `Origin` is served only when that origin is the
 *   server's own (same host and port, e.g. the playground page at `/`) or one
 *   `--cors-origin` allows; a cross-site non-GET request without `Origin`
 *   (announced by `Sec-Fetch-Site`) is refused too (403).
 * - With an allow-list of hosts (the default when bound to a loopback
 *   address), the `Host` header must name one of them (403 otherwise): a DNS
 *   rebinding page reaches 127.0.0.1 under its own name.
 *
 * Opt out with `--cors-origin '*'` (any origin) and `--allowed-host '*'`.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../openai/api-error.js";

export interface BrowserGuardOptions {
  /** Origins allowed besides the server's own (`*`: any). */
  corsOrigins?: readonly string[];
  /** Host names the `Host` header may carry (no ports; `*`: any). Undefined: no Host check. */
  allowedHosts?: readonly string[];
}

/** The host names a server bound to `bindHost` accepts by default: the loopback names when it is bound to loopback, else undefined (any). */
export function defaultAllowedHosts(bindHost: string, configured: readonly string[] | undefined): string[] | undefined {
  const loopback = isLoopback(bindHost);
  if (configured !== undefined && configured.length > 0) return loopback ? [...loopbackNames, ...configured] : [...configured];
  return loopback ? [...loopbackNames] : undefined;
}

const loopbackNames = ["localhost", "127.0.0.1", "::1"];

function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Middleware: Host allow-list and Origin check. */
export function browserGuard(options: BrowserGuardOptions): MiddlewareHandler {
  const anyOrigin = options.corsOrigins?.includes("*") === true;
  const origins = new Set(options.corsOrigins ?? []);
  const hosts = options.allowedHosts === undefined || options.allowedHosts.includes("*") ? undefined : new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  return async function guardBrowserUse(c, next) {
    const hostHeader = c.req.header("host") ?? new URL(c.req.url).host;
    if (hosts !== undefined) {
      const name = hostName(hostHeader);
      if (!hosts.has(name) && !(name.endsWith(".localhost") && hosts.has("localhost"))) {
        throw forbidden(
          `The Host header '${hostHeader.slice(0, 100)}' is not one this server answers to. Add it with --allowed-host (or URIAL_ALLOWED_HOST), or --allowed-host '*' to accept any.`,
          "host_not_allowed",
        );
      }
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !anyOrigin && !origins.has(origin) && !isSameOrigin(origin, hostHeader)) {
      throw forbidden(
        `Requests from the web origin '${origin.slice(0, 100)}' are not allowed. Start the server with --cors-origin ${/^https?:\/\/[^/\s]+$/.test(origin) ? origin : "ORIGIN"} to allow it (or '*' for any).`,
        "origin_not_allowed",
      );
    }
    if (origin === undefined && !anyOrigin && c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.header("sec-fetch-site") === "cross-site") {
      throw forbidden("Cross-site requests from web pages are not allowed. Start the server with --cors-origin to allow a page's origin.", "origin_not_allowed");
    }
    await next();
  };
}

/** Middleware for JSON routes: a POST must say `Content-Type: application/json` (415 otherwise). */
export function requireJsonContentType(): MiddlewareHandler {
  return async function checkJsonContentType(c, next) {
    const contentType = c.req.header("content-type");
    if (c.req.method === "POST" && !isJson(contentType)) {
      throw new ApiError({
        status: 415,
        type: "invalid_request_error",
        message: `This route takes a JSON body: send 'Content-Type: application/json'${contentType !== undefined ? ` (got '${contentType.slice(0, 100)}')` : ""}.`,
        code: "unsupported_content_type",
      });
    }
    await next();
  };
}

function forbidden(message: string, code: string): ApiError {
  return new ApiError({ status: 403, type: "invalid_request_error", message, code });
}

/** `application/json` or a `+json` type, parameters allowed (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The name in a Host header, lower-cased, without port or IPv6 brackets. */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]") > 0 ? lower.indexOf("]") : undefined);
  const colon = lower.lastIndexOf(":");
  return colon >= 0 ? lower.slice(0, colon) : lower;
}

/** True when `origin` is this server itself, as the browser reached it (same host and port). */
function isSameOrigin(origin: string, hostHeader: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.host.toLowerCase() === hostHeader.trim().toLowerCase();
}
