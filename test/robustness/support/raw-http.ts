/**
 * @module test/robustness/support/raw-http
 * A raw HTTP/1.1 client over node:net for requests `fetch` cannot send (bad
 * percent-encoding, odd methods, huge or unfinished headers, bodies that
 * trickle or fall short of their Content-Length). It writes what it is told,
 * reads until the server closes the connection (every request here says
 * `Connection: close`, or the server must close it), and parses the one
 * response. Loopback only; every read is bounded by `limitMs`.
 */
import { connect } from "node:net";

export interface RawResponse {
  /** 0 when no status line arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting to the connection's end. */
  ms: number;
  /** How the connection ended: closed by the server, reset, or cut by our own limit. */
  ended: "closed" | "reset" | "limit";
}

export interface RawRequestOptions {
  /** Written as soon as the connection is up. */
  head: string | Buffer;
  /** Pieces written after `head`, `everyMs` apart (a trickle); stops once the server has answered. */
  trickle?: { pieces: (string | Buffer)[]; everyMs: number };
  /** Give up after this long. Defaults to 20 000. */
  limitMs?: number;
}

export function rawRequest(port: number, options: RawRequestOptions): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let ended: RawResponse["ended"] = "closed";
    let trickleTimer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      ended = "limit";
      socket.destroy();
    }, options.limitMs ?? 20_000);
    socket.on("connect", () => {
      socket.write(options.head);
      const pieces = [...(options.trickle?.pieces ?? [])];
      const next = () => {
        if (pieces.length === 0 || chunks.length > 0 || socket.destroyed || !socket.writable) return;
        socket.write(pieces.shift()!);
        trickleTimer = setTimeout(next, options.trickle!.everyMs);
      };
      if (pieces.length > 0) trickleTimer = setTimeout(next, options.trickle!.everyMs);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") ended = "reset";
    });
    socket.on("close", () => {
      clearTimeout(limit);
      clearTimeout(trickleTimer);
      resolve({ ...parseResponse(Buffer.concat(chunks).toString("latin1")), ms: performance.now() - started, ended });
    });
  });
}

function parseResponse(text: string): Pick<RawResponse, "status" | "headers" | "body"> {
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return { status: 0, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
  return { status, headers, body: Buffer.from(body, "latin1").toString("utf8") };
}

function unchunk(text: string): string {
  let out = "";
  let rest = text;
  for (let guard = 0; guard < 100_000; guard += 1) {
    const line = rest.indexOf("\r\n");
    if (line < 0) break;
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
  return out;
}

/** A request head: request line, headers (Host and Connection: close unless given), blank line. */
export function head(method: string, path: string, headers: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = { host: "127.0.0.1", connection: "close", ...headers };
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(all)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n")}\r\n\r\n`;
}

/** A complete JSON POST. */
export function jsonPost(path: string, body: string, headers: Record<string, string | number> = {}): string {
  return head("POST", path, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers }) + body;
}

/** The OpenAI error body of a response, or a description of why it is not one. */
export function errorCode(response: RawResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { error?: { code?: string | null; message?: string } };
    if (typeof parsed.error?.message !== "string") return `not an error body: ${response.body.slice(0, 80)}`;
    return parsed.error.code ?? "null";
  } catch {
    return `not JSON: ${response.body.slice(0, 80)}`;
  }
}
