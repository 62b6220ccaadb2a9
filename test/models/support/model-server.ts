/**
 * A real HTTP server on 127.0.0.1 (port 0) that serves model files the ways
 * real servers do and fail: with and without Range support, with a digest
 * header, cut off mid-body, holding a slice open, redirecting like the
 * Hugging Face hub, or answering an error status. It records every request,
 * so tests can see Range requests and auth headers. Loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Route {
  /** Bytes served (GET/HEAD). */
  body?: Buffer;
  /** Honour `Range` and say `Accept-Ranges: bytes`. Defaults to true. */
  ranges?: boolean;
  /** Extra response headers (e.g. `x-linked-etag`). */
  headers?: Record<string, string>;
  /** Answer this status with no body. */
  status?: number;
  /** Answer 302 to this path, with `headers` (the hub's `x-linked-etag` sits on the redirect). */
  redirectTo?: string;
  /** Send only this many bytes of each GET body, then drop the connection (the first `cutTimes` GETs; all when unset). */
  cutAfter?: number;
  cutTimes?: number;
  /** A GET whose slice starts at `start` sends `bytes` bytes and then holds the connection open without sending more. */
  hold?: { start: number; bytes: number };
  /** The first full GET (from byte 0, more than one byte) gets this many extra bytes: a download that comes out too long once. */
  padFirstDownload?: number;
  /** JSON to answer (the hub's manifest). */
  json?: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface ModelServer {
  url(path: string): string;
  /** Origin with a trailing slash, for HF_ENDPOINT. */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  routes: Record<string, Route>;
  close(): Promise<void>;
}

/** Starts the server; `routes` maps a path (query ignored) to its behaviour and may be changed while it runs. */
export async function startModelServer(routes: Record<string, Route>): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const padded = new Set<string>();
  const cutCounts = new Map<string, number>();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    requests.push({ method: request.method ?? "GET", path, range: request.headers.range, authorization: request.headers.authorization });
    const route = routes[path];
    if (!route) return void response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    if (route.status !== undefined) return void response.writeHead(route.status, { "content-type": "text/plain" }).end(`status ${route.status}`);
    if (route.redirectTo !== undefined) return void response.writeHead(302, { location: route.redirectTo, ...route.headers }).end();
    if (route.json !== undefined) return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(route.json));
    const body = route.body ?? Buffer.alloc(0);
    const ranges = route.ranges ?? true;
    let start = 0;
    let end = body.length - 1;
    const headers: Record<string, string | number> = { "content-type": "application/octet-stream", ...route.headers };
    if (ranges) headers["accept-ranges"] = "bytes";
    const match = ranges && request.headers.range ? /^bytes=(\d+)-(\d*)$/.exec(request.headers.range) : null;
    if (match) {
      start = Number(match[1]);
      end = match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
      headers["content-range"] = `bytes ${start}-${end}/${body.length}`;
    }
    let slice = body.subarray(start, end + 1);
    if (route.padFirstDownload !== undefined && request.method === "GET" && start === 0 && slice.length > 1 && !padded.has(path)) {
      padded.add(path);
      slice = Buffer.concat([slice, Buffer.alloc(route.padFirstDownload, 7)]);
      if (match) headers["content-range"] = `bytes ${start}-${start + slice.length - 1}/${body.length + route.padFirstDownload}`;
    }
    headers["content-length"] = slice.length;
    response.writeHead(match ? 206 : 200, headers);
    if (request.method === "HEAD") return void response.end();
    if (route.hold && start === route.hold.start) {
      response.write(slice.subarray(0, route.hold.bytes));
      return;
    }
    if (route.cutAfter !== undefined) {
      const count = (cutCounts.get(path) ?? 0) + 1;
      cutCounts.set(path, count);
      if (route.cutTimes === undefined || count <= route.cutTimes) {
        const part = slice.subarray(0, Math.min(route.cutAfter, slice.length));
        response.write(part, () => response.socket?.destroy());
        return;
      }
    }
    response.end(slice);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}/`;
  return {
    url: (path) => new URL(path, origin).href,
    origin,
    requests,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (bound, then closed). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
