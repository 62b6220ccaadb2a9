/**
 * @module engine/state-file-integrity
 * What makes a saved prefix-state file safe to hand to llama.cpp: its length
 * and SHA-256 are recorded when it is written, and checked before any native
 * load (llama.cpp asserts — killing the process — on a truncated state, and
 * silently accepts flipped bytes). Also the durable-write steps: fsync the
 * file, rename, fsync the folder.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";

/** Length and checksum of a state file, as kept in its record. */
export interface StateFileDigest {
  stateBytes: number;
  stateSha256: string;
}

/** Reads the file once and returns its length and SHA-256. */
export async function digestStateFile(path: string): Promise<StateFileDigest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    hash.update(buffer);
  }
  return { stateBytes: bytes, stateSha256: hash.digest("hex") };
}

/**
 * Throws, with the reason, unless the file at `path` has exactly the recorded
 * length and checksum. The length is checked first (a cheap `stat`), so a
 * truncated file costs no read.
 */
export async function checkStateFile(path: string, expected: Partial<StateFileDigest>): Promise<void> {
  if (typeof expected.stateBytes !== "number" || typeof expected.stateSha256 !== "string") {
    throw new Error("its record has no length and checksum (saved by an older version)");
  }
  const { size } = await stat(path);
  if (size !== expected.stateBytes) throw new Error(`it has ${size} bytes where its record says ${expected.stateBytes}`);
  const actual = await digestStateFile(path);
  if (actual.stateBytes !== expected.stateBytes) throw new Error(`it has ${actual.stateBytes} bytes where its record says ${expected.stateBytes}`);
  if (actual.stateSha256 !== expected.stateSha256) throw new Error("its checksum does not match its record (the file was changed or damaged)");
}

/** Flushes a written file to the disk. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename) to the disk; some systems cannot, which is not an error. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
