/**
 * @module bench/synthetic-gguf/half-float
 * float32 → IEEE 754 binary16 bits, rounding to nearest even (what ggml's
 * FP32_TO_FP16 does on hardware with F16C). Node 20 has no Math.f16round.
 */

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** The binary16 bit pattern of `value` (first rounded to float32). */
export function float32ToFloat16Bits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): the value is (1.mantissa) scaled below 2^-14.
    if (halfExponent < -10) return sign;
    const shift = 14 - halfExponent;
    const full = mantissa | 0x800000;
    return sign | roundShift(full, shift);
  }
  // A carry out of the mantissa bumps the exponent, which is the right result (up to infinity).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundingCarry(mantissa, 13, mantissa >>> 13));
}

/** `value >>> shift`, rounded to nearest even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundingCarry(value, shift, kept);
}

function roundingCarry(value: number, shift: number, kept: number): number {
  const dropped = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return dropped > half || (dropped === half && (kept & 1) === 1) ? 1 : 0;
}

/** Writes `values` as little-endian f16 into `target` from `offset`; returns the bytes written. */
export function encodeF16(values: Float32Array, target: Uint8Array, offset = 0): number {
  if (offset + values.length * 2 > target.length) throw new RangeError("f16 target buffer too small");
  let out = offset;
  for (let index = 0; index < values.length; index += 1) {
    const bits = float32ToFloat16Bits(values[index]!);
    target[out] = bits & 0xff;
    target[out + 1] = bits >>> 8;
    out += 2;
  }
  return out - offset;
}
