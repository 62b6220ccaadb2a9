/**
 * @module server/listen
 * Puts an app on a socket with @hono/node-server (the one place outside
 * `app.ts` that knows the HTTP transport): resolves once listening, rejects
 * when the address cannot be bound.
 */
import { serve, type ServerType } from "@hono/node-server";

export type ListeningServer = ServerType;

export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}
