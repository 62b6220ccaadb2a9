/**
 * @module bench/synthetic-gguf/byte-writer
 * A growable little-endian byte buffer for the GGUF header (metadata and
 * tensor infos); tensor data never goes through it.
 */

/** Appends little-endian integers, floats and GGUF strings to a growing buffer. */
export class ByteWriter {
  private buffer = Buffer.alloc(4096);
  private length = 0;

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  get byteLength(): number {
    return this.length;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes);
  }

  uint8(value: number): void {
    this.reserve(1).writeUInt8(value);
  }

  int8(value: number): void {
    this.reserve(1).writeInt8(value);
  }

  uint16(value: number): void {
    this.reserve(2).writeUInt16LE(value);
  }

  int16(value: number): void {
    this.reserve(2).writeInt16LE(value);
  }

  uint32(value: number): void {
    this.reserve(4).writeUInt32LE(value);
  }

  int32(value: number): void {
    this.reserve(4).writeInt32LE(value);
  }

  float32(value: number): void {
    this.reserve(4).writeFloatLE(value);
  }

  float64(value: number): void {
    this.reserve(8).writeDoubleLE(value);
  }

  /** A u64; plain numbers must be safe integers. */
  uint64(value: number | bigint): void {
    this.reserve(8).writeBigUInt64LE(typeof value === "bigint" ? value : BigInt(checkSafeInteger(value)));
  }

  int64(value: number | bigint): void {
    this.reserve(8).writeBigInt64LE(typeof value === "bigint" ? value : BigInt(checkSafeInteger(value)));
  }

  bool(value: boolean): void {
    this.uint8(value ? 1 : 0);
  }

  /** A GGUF string: u64 byte length, then UTF-8 bytes, no terminator. */
  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.uint64(bytes.length);
    this.raw(bytes);
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding).fill(0);
  }

  /** Grows the buffer if needed and returns the next `size` bytes, counted as written. */
  private reserve(size: number): Buffer {
    if (this.length + size > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + size));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const view = this.buffer.subarray(this.length, this.length + size);
    this.length += size;
    return view;
  }
}

function checkSafeInteger(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return value;
}
