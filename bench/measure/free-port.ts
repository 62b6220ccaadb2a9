/**
 * @module bench/measure/free-port
 * A loopback port nothing listens on now, for a server the bench starts.
 */
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return await new Promise<number>((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
