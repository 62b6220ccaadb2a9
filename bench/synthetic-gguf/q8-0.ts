/**
 * @module bench/synthetic-gguf/q8-0
 * Q8_0 quantisation as ggml's reference `quantize_row_q8_0_ref` does it:
 * blocks of 32 values, scale d = max|x| / 127 stored as f16, then
 * round(x / d) as int8, rounding halves away from zero (C `roundf`).
 */
import { Q8_0_BLOCK_BYTES, Q8_0_BLOCK_LENGTH } from "./gguf-format.js";
import { float32ToFloat16Bits } from "./half-float.js";

/**
 * Writes `values` (a whole number of blocks) as Q8_0 into `target` from
 * `offset`; returns the number of bytes written. Arithmetic is rounded to
 * float32 at each step, as in the C reference, so blocks match it bit for bit.
 */
export function encodeQ8_0(values: Float32Array, target: Uint8Array, offset = 0): number {
  if (values.length % Q8_0_BLOCK_LENGTH !== 0) throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK_LENGTH} values, got ${values.length}`);
  const blocks = values.length / Q8_0_BLOCK_LENGTH;
  if (offset + blocks * Q8_0_BLOCK_BYTES > target.length) throw new RangeError("Q8_0 target buffer too small");
  let out = offset;
  for (let block = 0; block < blocks; block += 1) {
    const start = block * Q8_0_BLOCK_LENGTH;
    let maxMagnitude = 0;
    for (let index = start; index < start + Q8_0_BLOCK_LENGTH; index += 1) {
      const magnitude = Math.abs(values[index]!);
      if (magnitude > maxMagnitude) maxMagnitude = magnitude;
    }
    const scale = Math.fround(maxMagnitude / 127);
    const inverse = scale === 0 ? 0 : Math.fround(1 / scale);
    const scaleBits = float32ToFloat16Bits(scale);
    target[out] = scaleBits & 0xff;
    target[out + 1] = scaleBits >>> 8;
    out += 2;
    for (let index = start; index < start + Q8_0_BLOCK_LENGTH; index += 1) {
      const scaled = Math.fround(values[index]! * inverse);
      const quantised = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
      target[out] = quantised & 0xff;
      out += 1;
    }
  }
  return out - offset;
}
