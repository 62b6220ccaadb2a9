/**
 * @module cli/connect-remote-engine
 * Starts the remote engine of `urial serve --upstream`, retrying while the
 * upstream is not there yet (a proxy may start before its vLLM): `/health`
 * answers 503 meanwhile. Gives up only when the server is stopping.
 */
import type { Engine } from "../engine/engine.js";
import { startRemoteEngine, type RemoteEngineOptions } from "../engine/remote/remote-engine.js";

export interface ConnectOptions {
  engine: RemoteEngineOptions;
  log: (message: string) => void;
  /** True once the server is shutting down. */
  stopping: () => boolean;
  /** Longest pause between two attempts, in ms. Defaults to 10 000. */
  maxDelayMs?: number;
}

/** The engine once connected; undefined when the server began stopping first. */
export async function connectRemoteEngine(options: ConnectOptions): Promise<Engine | undefined> {
  let delay = 500;
  let lastMessage = "";
  for (let attempt = 1; !options.stopping(); attempt += 1) {
    try {
      return await startRemoteEngine(options.engine);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Say it once, then only when it changes (or every 20 attempts), not every second.
      if (message !== lastMessage || attempt % 20 === 0) options.log(`upstream ${[options.engine.url].flat().join(", ")} not ready (${message}); retrying`);
      lastMessage = message;
      await sleepUnless(delay, options.stopping);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
    }
  }
  return undefined;
}

/** Waits `ms`, checking `stop` every 100 ms. */
async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !stop()) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}
