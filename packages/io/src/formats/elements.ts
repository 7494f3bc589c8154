/**
 * Element encodings shared by the formats (safetensors and npy name them differently) and their
 * conversion to and from autodag's dtypes: 16-bit floats widen to float32, narrow integers widen
 * to int32, 64-bit and unsigned 32-bit integers become int32 when every value fits.
 */
import type { DType, TypedArray } from '@autodag/core';
import { copyElements, elementBytes, HOST_LITTLE_ENDIAN } from './bytes.js';
import {
  bfloat16ToFloat32,
  float32ToBfloat16Bits,
  float32ToHalfBits,
  halfToFloat32,
} from './half.js';

/** An element type as stored in a file. */
export type ElementKind =
  | 'bool'
  | 'u8'
  | 'i8'
  | 'i16'
  | 'u16'
  | 'f16'
  | 'bf16'
  | 'i32'
  | 'u32'
  | 'f32'
  | 'f64'
  | 'i64'
  | 'u64';

/** Bytes per element. */
export const ELEMENT_SIZE: Readonly<Record<ElementKind, number>> = {
  bool: 1,
  u8: 1,
  i8: 1,
  i16: 2,
  u16: 2,
  f16: 2,
  bf16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  f64: 8,
  i64: 8,
  u64: 8,
};

/** The autodag dtype each stored element type is read as. */
export const READ_DTYPE: Readonly<Record<ElementKind, DType>> = {
  bool: 'bool',
  u8: 'int32',
  i8: 'int32',
  i16: 'int32',
  u16: 'int32',
  f16: 'float32',
  bf16: 'float32',
  i32: 'int32',
  u32: 'int32',
  f32: 'float32',
  f64: 'float64',
  i64: 'int32',
  u64: 'int32',
};

/** The element type a tensor of each dtype is written as unless told otherwise. */
export const NATIVE_KIND: Readonly<Record<DType, ElementKind>> = {
  bool: 'bool',
  int32: 'i32',
  float32: 'f32',
  float64: 'f64',
};

/** The stored types each dtype may be written as (a lossy float narrowing only when asked). */
const WRITABLE: Readonly<Record<DType, readonly ElementKind[]>> = {
  bool: ['bool', 'u8'],
  int32: ['i32', 'i64'],
  float32: ['f32', 'f64', 'f16', 'bf16'],
  float64: ['f64', 'f32', 'f16', 'bf16'],
};

/** True when a tensor of `dtype` can be written as `kind`. */
export function canWrite(dtype: DType, kind: ElementKind): boolean {
  return WRITABLE[dtype].includes(kind);
}

/**
 * Decodes `count` elements of `kind` at `bytes[start..]` into an autodag typed array. Calls
 * `fail` (which throws the format's error) for a value that int32 cannot hold.
 */
export function decodeElements(
  kind: ElementKind,
  bytes: Uint8Array,
  start: number,
  count: number,
  littleEndian: boolean,
  fail: (message: string) => never,
): TypedArray {
  const width = ELEMENT_SIZE[kind];
  // 64-bit integers are read through a DataView in the file's own byte order.
  const wide = kind === 'i64' || kind === 'u64';
  const buf = copyElements(
    bytes,
    start,
    count * width,
    width,
    wide ? HOST_LITTLE_ENDIAN : littleEndian,
  );
  switch (kind) {
    case 'f32':
      return new Float32Array(buf);
    case 'f64':
      return new Float64Array(buf);
    case 'i32':
      return new Int32Array(buf);
    case 'f16':
      return halfToFloat32(new Uint16Array(buf));
    case 'bf16':
      return bfloat16ToFloat32(new Uint16Array(buf));
    case 'bool': {
      const out = new Uint8Array(buf);
      for (let i = 0; i < out.length; i++) out[i] = out[i] ? 1 : 0;
      return out;
    }
    case 'u8':
      return Int32Array.from(new Uint8Array(buf));
    case 'i8':
      return Int32Array.from(new Int8Array(buf));
    case 'i16':
      return Int32Array.from(new Int16Array(buf));
    case 'u16':
      return Int32Array.from(new Uint16Array(buf));
    case 'u32': {
      const src = new Uint32Array(buf);
      for (let i = 0; i < src.length; i++) {
        if (src[i]! > 0x7fffffff) fail(outOfRange(kind, src[i]!, i));
      }
      return new Int32Array(buf);
    }
    case 'i64':
    case 'u64':
      return narrow64(new DataView(buf), count, littleEndian, kind, fail);
  }
}

/** Keeps the low words of 64-bit integers, checking each value fits in int32. */
function narrow64(
  view: DataView,
  n: number,
  littleEndian: boolean,
  kind: 'i64' | 'u64',
  fail: (m: string) => never,
): Int32Array {
  const out = new Int32Array(n);
  const loAt = littleEndian ? 0 : 4;
  for (let i = 0; i < n; i++) {
    const lo = view.getInt32(8 * i + loAt, littleEndian);
    const hi = view.getInt32(8 * i + 4 - loAt, littleEndian);
    // Fits when the high word is the sign extension of the low word (u64: both non-negative).
    if (hi !== lo >> 31 || (kind === 'u64' && lo < 0)) {
      const big = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
      fail(outOfRange(kind, kind === 'u64' ? BigInt.asUintN(64, big) : big, i));
    }
    out[i] = lo;
  }
  return out;
}

function outOfRange(kind: ElementKind, value: number | bigint, index: number): string {
  return `${kind === 'u32' ? 'uint32' : kind === 'u64' ? 'uint64' : 'int64'} value ${value} at flat index ${index} does not fit in int32 (autodag's integer dtype)`;
}

/** Encodes host elements of an autodag dtype as `kind` bytes in the given byte order. */
export function encodeElements(
  kind: ElementKind,
  data: TypedArray,
  count: number,
  littleEndian: boolean,
): Uint8Array {
  const src = data.length === count ? data : data.subarray(0, count);
  switch (kind) {
    case 'f32':
      return elementBytes(
        src instanceof Float32Array ? src : Float32Array.from(src),
        4,
        littleEndian,
      );
    case 'f64':
      return elementBytes(
        src instanceof Float64Array ? src : Float64Array.from(src),
        8,
        littleEndian,
      );
    case 'i32':
      return elementBytes(src, 4, littleEndian);
    case 'bool':
    case 'u8':
      return elementBytes(src, 1, littleEndian);
    case 'f16':
    case 'bf16': {
      const conv = kind === 'f16' ? float32ToHalfBits : float32ToBfloat16Bits;
      const bits = new Uint16Array(count);
      for (let i = 0; i < count; i++) bits[i] = conv(src[i]!);
      return elementBytes(bits, 2, littleEndian);
    }
    case 'i64': {
      const words = new Int32Array(2 * count);
      for (let i = 0; i < count; i++) {
        words[2 * i] = src[i]!;
        words[2 * i + 1] = src[i]! < 0 ? -1 : 0;
      }
      // Low word first, each little-endian: a little-endian int64; big-endian reverses all 8 bytes.
      const out = elementBytes(words, 4, true);
      return littleEndian ? out : swap8(out);
    }
    default:
      throw new Error(`no encoder for ${kind}`);
  }
}

function swap8(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i += 8) bytes.subarray(i, i + 8).reverse();
  return bytes;
}
