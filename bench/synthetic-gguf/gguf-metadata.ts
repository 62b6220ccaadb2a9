/**
 * @module bench/synthetic-gguf/gguf-metadata
 * Typed GGUF metadata values and their encoding as key/value entries.
 */
import { ByteWriter } from "./byte-writer.js";
import { GgufValueType } from "./gguf-format.js";

type NumberTypeName = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";
type BigIntTypeName = "uint64" | "int64";
/** Any GGUF value type that can be an array element (GGUF allows nested arrays; nothing here needs them). */
export type GgufScalarTypeName = NumberTypeName | BigIntTypeName | "bool" | "string";

/** A metadata value with its GGUF type spelled out, since JS values alone do not say u32 vs i32 vs f32. */
export type GgufMetadataValue =
  | { type: NumberTypeName; value: number }
  | { type: BigIntTypeName; value: bigint | number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: NumberTypeName; values: readonly number[] }
  | { type: "array"; itemType: BigIntTypeName; values: readonly (bigint | number)[] }
  | { type: "array"; itemType: "bool"; values: readonly boolean[] }
  | { type: "array"; itemType: "string"; values: readonly string[] };

/** One metadata entry, in file order. */
export type GgufMetadataEntry = readonly [key: string, value: GgufMetadataValue];

/** Shorthands for the entries the generator writes itself. */
export const gguf = {
  string: (value: string): GgufMetadataValue => ({ type: "string", value }),
  uint32: (value: number): GgufMetadataValue => ({ type: "uint32", value }),
  float32: (value: number): GgufMetadataValue => ({ type: "float32", value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: "bool", value }),
};

/** Appends `key`, the value's type tag and the value, as GGUF lays out a metadata entry. */
export function encodeMetadataEntry(writer: ByteWriter, key: string, value: GgufMetadataValue): void {
  writer.string(key);
  if (value.type === "array") {
    writer.uint32(GgufValueType.array);
    writer.uint32(GgufValueType[value.itemType]);
    writer.uint64(value.values.length);
    for (const item of value.values) encodeScalar(writer, value.itemType, item);
    return;
  }
  writer.uint32(GgufValueType[value.type]);
  encodeScalar(writer, value.type, value.value);
}

function encodeScalar(writer: ByteWriter, type: GgufScalarTypeName, value: number | bigint | boolean | string): void {
  switch (type) {
    case "string":
      return writer.string(expect(value, "string"));
    case "bool":
      return writer.bool(expect(value, "boolean"));
    case "uint64":
    case "int64":
      if (typeof value !== "bigint" && typeof value !== "number") throw new TypeError(`${type} value must be a number or bigint, got ${typeof value}`);
      return type === "uint64" ? writer.uint64(value) : writer.int64(value);
    default:
      return writer[type](expect(value, "number"));
  }
}

function expect<T extends "string" | "boolean" | "number">(value: unknown, kind: T): T extends "string" ? string : T extends "boolean" ? boolean : number {
  if (typeof value !== kind) throw new TypeError(`expected a ${kind} metadata value, got ${typeof value}`);
  return value as never;
}
