/**
 * @module bench/synthetic-gguf/gguf-format
 * The numbers of the GGUF v3 container and the ggml tensor types this
 * generator writes. All integers in a GGUF file are little-endian.
 */

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = Buffer.from("GGUF", "ascii");
export const GGUF_VERSION = 3;
/** Tensor data offsets (and the data section itself) are multiples of this; written as `general.alignment`. */
export const GGUF_ALIGNMENT = 32;

/** Type tags of metadata values. */
export const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** ggml tensor types written here. */
export const GgmlType = { f32: 0, f16: 1, q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Elements per Q8_0 block and its size: one f16 scale, then 32 int8 values. */
export const Q8_0_BLOCK_LENGTH = 32;
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_LENGTH;

/** `general.file_type` (llama_ftype) of a file whose 2-D weights have this type. */
export const FILE_TYPE_OF_WEIGHT_TYPE = { f32: 0, f16: 1, q8_0: 7 } as const satisfies Record<GgmlTypeName, number>;

/** Bytes that `elements` values of `type` take on disk. */
export function tensorByteLength(type: GgmlTypeName, elements: number): number {
  switch (type) {
    case "f32":
      return elements * 4;
    case "f16":
      return elements * 2;
    case "q8_0":
      if (elements % Q8_0_BLOCK_LENGTH !== 0) throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK_LENGTH} elements, got ${elements}`);
      return (elements / Q8_0_BLOCK_LENGTH) * Q8_0_BLOCK_BYTES;
  }
}

/** Rounds `offset` up to the next multiple of `alignment`. */
export function alignOffset(offset: number, alignment = GGUF_ALIGNMENT): number {
  return Math.ceil(offset / alignment) * alignment;
}
