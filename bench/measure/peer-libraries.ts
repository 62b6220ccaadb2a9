/**
 * @module bench/measure/peer-libraries
 * The library folder a llama-server peer build runs with. The peer folder's
 * library links may have been copied as small text files naming their target
 * (a copy that does not keep symlinks, as `../shared/peers/llama-server/` is
 * here): the links are then made again in a temporary folder, which goes on
 * the library path instead. One owner for that repair, used by the benchmark
 * and by the tests that start real replicas.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PeerLibraries {
  /** The folder holding `llama-server` and its libraries, links intact. */
  dir: string;
  /** Removes the temporary folder, if one was made. */
  cleanup(): void;
}

/** `peerDir` itself when its links are intact, else a temporary folder of repaired links. */
export function preparePeerLibraries(peerDir: string): PeerLibraries {
  const names = readdirSync(peerDir);
  const flattened = names.filter((name) => {
    const size = statSync(join(peerDir, name)).size;
    return size < 256 && /^lib.*\.so(\.\d+)*$/.test(name) && names.includes(readFileSync(join(peerDir, name), "utf8").trim());
  });
  if (flattened.length === 0) return { dir: peerDir, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "urial-llama-server-"));
  for (const name of names) {
    const target = flattened.includes(name) ? readFileSync(join(peerDir, name), "utf8").trim() : join(peerDir, name);
    symlinkSync(target, join(dir, name));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
