/**
 * @module bench/synthetic-gguf/tensor-data
 * Chunked tensor data for the writer: vectors of ones (norm weights, F32) and
 * seeded random normal matrices encoded as F32, F16 or Q8_0. Buffers are
 * reused from chunk to chunk, so memory stays at one chunk per tensor stream.
 */
import { Q8_0_BLOCK_LENGTH, tensorByteLength, type GgmlTypeName } from "./gguf-format.js";
import { encodeF16 } from "./half-float.js";
import { encodeQ8_0 } from "./q8-0.js";
import { SeededNormal } from "./seeded-normal.js";

/** Elements per chunk: a multiple of the Q8_0 block (and even, for Box–Muller pairs). */
export const CHUNK_ELEMENTS = 1 << 20;

/** `elements` float32 ones, little-endian. */
export function* onesF32(elements: number): Generator<Uint8Array> {
  const chunk = Buffer.alloc(Math.min(elements, CHUNK_ELEMENTS) * 4);
  for (let offset = 0; offset < chunk.length; offset += 4) chunk.writeFloatLE(1, offset);
  for (let done = 0; done < elements; done += CHUNK_ELEMENTS) yield chunk.subarray(0, Math.min(CHUNK_ELEMENTS, elements - done) * 4);
}

/**
 * `elements` normal deviates of standard deviation `deviation` from
 * `random`, encoded as `type`. The values depend only on the random stream
 * and the element count, not on the chunk size of the caller.
 */
export function* randomNormal(elements: number, type: GgmlTypeName, random: SeededNormal, deviation: number): Generator<Uint8Array> {
  if (type === "q8_0" && elements % Q8_0_BLOCK_LENGTH !== 0) throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK_LENGTH} elements, got ${elements}`);
  const values = new Float32Array(Math.min(elements, CHUNK_ELEMENTS));
  const encoded = Buffer.alloc(tensorByteLength(type, values.length));
  for (let done = 0; done < elements; done += CHUNK_ELEMENTS) {
    const count = Math.min(CHUNK_ELEMENTS, elements - done);
    const slice = values.subarray(0, count);
    random.fill(slice, deviation);
    yield encoded.subarray(0, encode(slice, type, encoded));
  }
}

function encode(values: Float32Array, type: GgmlTypeName, target: Buffer): number {
  switch (type) {
    case "f32":
      for (let index = 0; index < values.length; index += 1) target.writeFloatLE(values[index]!, index * 4);
      return values.length * 4;
    case "f16":
      return encodeF16(values, target);
    case "q8_0":
      return encodeQ8_0(values, target);
  }
}
