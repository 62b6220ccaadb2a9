/**
 * @module models/verify-model-file
 * Checks a downloaded file before it enters the cache: the size the server
 * announced, the GGUF magic, the sha256 where the source gave one, and that
 * the GGUF header's tensors all fit in the file (a file cut short fails even
 * when the server never said how long it was).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { formatBytes } from "./format-bytes.js";
import type { ModelSummary } from "./model-files.js";

export interface FileExpectations {
  /** Bytes the server announced. */
  size: number | undefined;
  /** Lower-case hex sha256 the source gave. */
  sha256: string | undefined;
}

/** Throws `Error` with a one-line problem; returns the header summary and whether a sha256 was checked. */
export async function verifyModelFile(
  path: string,
  expected: FileExpectations,
  inspect: (path: string) => Promise<ModelSummary>,
): Promise<{ summary: ModelSummary; sha256Verified: boolean; size: number }> {
  const { size } = await stat(path);
  if (expected.size !== undefined && size !== expected.size) {
    throw new TransferSizeError(`the file is ${formatBytes(size)} (${size} bytes) but the server announced ${expected.size} bytes; the transfer was cut short`);
  }
  const magic = await readStart(path, 16);
  if (magic.subarray(0, 4).toString("latin1") !== "GGUF") {
    throw new Error(`the server sent a file that is not a GGUF model (it starts with ${JSON.stringify(magic.toString("latin1").replace(/[^\x20-\x7e]/g, "."))})`);
  }
  if (expected.sha256 !== undefined) {
    const actual = await sha256Of(path);
    if (actual !== expected.sha256) throw new Error(`sha256 mismatch: the file has ${actual} but the source says ${expected.sha256}`);
  }
  let summary: ModelSummary;
  try {
    summary = await inspect(path);
  } catch (error) {
    throw new Error(`the file is not a readable GGUF model (${(error instanceof Error ? error.message : String(error)).split("\n")[0]})`, { cause: error });
  }
  if (summary.requiredBytes > size) {
    throw new Error(`the file is incomplete: its tensors need ${summary.requiredBytes} bytes but it has ${size}; the transfer was cut short`);
  }
  return { summary, sha256Verified: expected.sha256 !== undefined, size };
}

/** Lower-case hex sha256 of a file, streamed. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function readStart(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The downloaded size differs from what the server announced: a broken transfer, worth one retry. */
export class TransferSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransferSizeError";
  }
}
