/**
 * @module server/listen
 * Puts an app on a socket with @hono/node-server (the one place outside
 * `app.ts` that knows the HTTP transport): resolves once listening, rejects
 * when the address cannot be bound. Also the transport's deadlines (headers,
 * the whole request as a backstop), its answer to connections the HTTP
 * parser refuses, and the last step of a shutdown.
 */
import { serve, type ServerType } from "@hono/node-server";
import type { Duplex } from "node:stream";
import { answerClientError, type ConnectionErrorReason } from "./answer-client-error.js";

export type ListeningServer = ServerType;

export interface ListenOptions {
  /** Longest wait for a request's headers (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** The app's body deadline (0: none); Node's whole-request limit is set a little past headers + body, as a backstop. */
  bodyTimeoutMs: number;
  /** Told about every connection the HTTP parser refused. */
  onConnectionError?: (reason: ConnectionErrorReason) => void;
}

export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number, options?: ListenOptions): Promise<ListeningServer> {
  const serverOptions =
    options === undefined
      ? {}
      : {
          headersTimeout: options.headersTimeoutMs,
          requestTimeout: options.bodyTimeoutMs > 0 ? options.headersTimeoutMs + options.bodyTimeoutMs + 5000 : 0,
          connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
        };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port, serverOptions }, () => resolve(server));
    server.once("error", reject);
    if (options !== undefined) server.on("clientError", (error: Error, socket: Duplex) => answerClientError(error, socket, options.onConnectionError));
  });
}

/** The end of a shutdown: waits (up to `graceMs`) for responses being written to go out, then closes every connection left. */
export async function closeConnections(server: ListeningServer, closed: Promise<void>, graceMs: number): Promise<void> {
  const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  http.closeIdleConnections?.();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  http.closeAllConnections?.();
}
