/**
 * @module bench/synthetic-gguf/gguf-writer
 * Writes a GGUF v3 file: header, metadata, tensor infos, then each tensor's
 * data at an aligned offset. Tensor data is streamed from each tensor's
 * chunk generator, so a file of any size needs only one chunk in memory.
 * The file appears under its name only when complete (`.partial`, then rename).
 */
import { open, rename, rm } from "node:fs/promises";
import { ByteWriter } from "./byte-writer.js";
import { GGUF_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, alignOffset, tensorByteLength, type GgmlTypeName } from "./gguf-format.js";
import { encodeMetadataEntry, type GgufMetadataEntry } from "./gguf-metadata.js";

/** One tensor to write. */
export interface GgufTensor {
  name: string;
  /** ggml order: the fastest-varying dimension (ne0, the row length) first. */
  dimensions: readonly number[];
  type: GgmlTypeName;
  /**
   * The tensor's bytes, in chunks, exactly `tensorByteLength(type, elements)`
   * in all. A chunk may be a reused buffer: the writer is done with it before
   * asking for the next.
   */
  data: () => Iterable<Uint8Array>;
}

/** What is written besides the tensors' data. */
export interface GgufContents {
  /** Metadata in file order; `general.alignment` is added by the writer. */
  metadata: readonly GgufMetadataEntry[];
  tensors: readonly GgufTensor[];
}

/** Number of elements of a tensor. */
export function elementCount(dimensions: readonly number[]): number {
  return dimensions.reduce((product, dimension) => product * dimension, 1);
}

/**
 * The header: magic, version, tensor and metadata counts, the metadata
 * entries, the tensor infos, and zero padding up to the aligned start of the
 * data section. Offsets in the tensor infos are relative to that start.
 */
export function encodeGgufHeader({ metadata, tensors }: GgufContents): Buffer {
  if (metadata.some(([key]) => key === "general.alignment")) throw new Error("general.alignment is written by the GGUF writer; leave it out of the metadata");
  const writer = new ByteWriter();
  writer.raw(GGUF_MAGIC);
  writer.uint32(GGUF_VERSION);
  writer.uint64(tensors.length);
  writer.uint64(metadata.length + 1);
  for (const [key, value] of metadata) encodeMetadataEntry(writer, key, value);
  encodeMetadataEntry(writer, "general.alignment", { type: "uint32", value: GGUF_ALIGNMENT });
  let offset = 0;
  for (const tensor of tensors) {
    writer.string(tensor.name);
    writer.uint32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) writer.uint64(dimension);
    writer.uint32(GgmlType[tensor.type]);
    writer.uint64(offset);
    offset = alignOffset(offset + tensorByteLength(tensor.type, elementCount(tensor.dimensions)));
  }
  writer.padTo(GGUF_ALIGNMENT);
  return writer.bytes();
}

/** Size of the whole file, without writing it. */
export function ggufFileSize(contents: GgufContents): number {
  let dataBytes = 0;
  for (const tensor of contents.tensors) dataBytes = alignOffset(dataBytes + tensorByteLength(tensor.type, elementCount(tensor.dimensions)));
  return encodeGgufHeader(contents).length + dataBytes;
}

/**
 * Streams `contents` to `path` via `path + ".partial"`, renamed on success
 * and removed on failure. `onTensorWritten` sees each tensor once its data is
 * on disk (for progress lines). Returns the file size in bytes.
 */
export async function writeGgufFile(path: string, contents: GgufContents, onTensorWritten?: (tensor: GgufTensor, index: number) => void): Promise<number> {
  const partialPath = `${path}.partial`;
  const file = await open(partialPath, "w");
  let written = 0;
  try {
    const write = async (bytes: Uint8Array) => {
      let done = 0;
      while (done < bytes.length) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
      written += bytes.length;
    };
    const header = encodeGgufHeader(contents);
    await write(header);
    const padding = new Uint8Array(GGUF_ALIGNMENT);
    for (const [index, tensor] of contents.tensors.entries()) {
      const expected = tensorByteLength(tensor.type, elementCount(tensor.dimensions));
      let produced = 0;
      for (const chunk of tensor.data()) {
        produced += chunk.length;
        if (produced > expected) break;
        await write(chunk);
      }
      if (produced !== expected) throw new Error(`tensor ${tensor.name}: data gave ${produced > expected ? `more than ${expected}` : produced} bytes, expected ${expected}`);
      const dataOffset = written - header.length;
      await write(padding.subarray(0, alignOffset(dataOffset) - dataOffset));
      onTensorWritten?.(tensor, index);
    }
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partialPath, { force: true });
    throw error;
  }
  await rename(partialPath, path);
  return written;
}
