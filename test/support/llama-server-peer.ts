/**
 * @module test/support/llama-server-peer
 * Real llama-server processes (the peer build in `../shared/peers/`) on
 * loopback, for tests of the remote engine against a real upstream. Each
 * runs one thread, with the library links repaired where the peer folder lost
 * them (bench/measure/peer-libraries). Tests skip, visibly, when the peer or
 * the model is absent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { preparePeerLibraries } from "../../bench/measure/peer-libraries.js";

/** `URIAL_LLAMA_SERVER_DIR`, else `../shared/peers/llama-server` next to the repository. */
export const peerDir = process.env.URIAL_LLAMA_SERVER_DIR ? resolve(process.env.URIAL_LLAMA_SERVER_DIR) : fileURLToPath(new URL("../../../shared/peers/llama-server", import.meta.url));

export const peerExists = existsSync(join(peerDir, "llama-server"));

/** A free loopback port (asked of the OS, then released for the server to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface PeerOptions {
  modelPath: string;
  /** Slots (`-np`); each gets `slotContext` tokens. */
  slots: number;
  slotContext: number;
}

/** One llama-server on a fixed loopback port, which can be killed and started again there. */
export class LlamaServerPeer {
  readonly port: number;
  readonly url: string;
  readonly #options: PeerOptions;
  readonly #libraries: string;
  #child: ChildProcess | undefined;
  #log = "";

  constructor(port: number, options: PeerOptions, libraries: string) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#options = options;
    this.#libraries = libraries;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process and waits until its /health answers 200 (at most `timeoutMs`). */
  async start(timeoutMs = 20_000): Promise<void> {
    const { modelPath, slots, slotContext } = this.#options;
    const args = ["-m", modelPath, "--host", "127.0.0.1", "--port", String(this.port), "-c", String(slots * slotContext), "-np", String(slots), "-t", "1", "-tb", "1", "--no-webui"];
    this.#log = "";
    const child = spawn(join(this.#libraries, "llama-server"), args, { env: { ...process.env, LD_LIBRARY_PATH: this.#libraries }, stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`llama-server on port ${this.port} exited: ${this.#log}`);
      const ok = await fetch(`${this.url}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((done) => setTimeout(done, 50));
    }
    this.kill();
    throw new Error(`llama-server on port ${this.port} did not become healthy in ${timeoutMs} ms: ${this.#log}`);
  }

  /** SIGKILL, at once (what a crash or an OOM kill does); resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGKILL");
    await exited;
  }
}

/** Starts `count` peers on free ports; `stop` kills them all and removes the temporary library folder. */
export async function startPeers(count: number, options: PeerOptions): Promise<{ peers: LlamaServerPeer[]; stop(): Promise<void> }> {
  const libraries = preparePeerLibraries(peerDir);
  const peers: LlamaServerPeer[] = [];
  for (let index = 0; index < count; index += 1) peers.push(new LlamaServerPeer(await freePort(), options, libraries.dir));
  const stop = async () => {
    await Promise.all(peers.map((peer) => peer.kill()));
    libraries.cleanup();
  };
  try {
    await Promise.all(peers.map((peer) => peer.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  return { peers, stop };
}
