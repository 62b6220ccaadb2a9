/**
 * @module test/support/serve-app
 * Serves a hono app on 127.0.0.1 with a free port, as `urial serve` does, for
 * tests that need real sockets (disconnects, invalid bytes, upstreams).
 */
import { serve, type ServerType } from "@hono/node-server";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";

export interface ServedApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  server: ServerType;
  close(): Promise<void>;
}

export async function serveApp(app: Hono): Promise<ServedApp> {
  let server!: ServerType;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
