/**
 * @module engine/model-fingerprint
 * A cheap identity for a GGUF file: hashing a 40 GB model would take minutes,
 * so the fingerprint covers its size, its first and last MiB (header, metadata
 * and the tail of the tensor data) and the engine version. Saved KV states
 * are keyed by it: loading a state made with another model can crash llama.cpp.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const window = 1024 * 1024;

export async function fingerprintModelFile(modelPath: string, engineVersion: string): Promise<string> {
  const handle = await open(modelPath, "r");
  try {
    const { size } = await handle.stat();
    const hash = createHash("sha256").update(`${engineVersion}\0${size}\0`);
    const head = Buffer.alloc(Math.min(window, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    const tailStart = Math.max(0, size - window);
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);
    hash.update(tail);
    return hash.digest("hex").slice(0, 32);
  } finally {
    await handle.close();
  }
}

/** The installed node-llama-cpp version (its state files may change between versions). */
export function nodeLlamaCppVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
}
