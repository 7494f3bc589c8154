/**
 * Byte-level helpers shared by the file formats: endianness, typed-array views over byte ranges,
 * and UTF-8 text.
 */
import type { DType, Tensor, TypedArray } from '@autodag/core';

/** True on little-endian hosts (all mainstream ones); file data is byte-swapped otherwise. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor's elements read to the host in row-major order, with its dtype and shape. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** Reads a tensor synchronously (any layout: views are made contiguous by `dataSync`). */
export function hostTensorSync(t: Tensor): HostTensor {
  return { dtype: t.dtype, shape: [...t.shape], data: t.dataSync() };
}

/** Reads a tensor asynchronously (works on devices without synchronous reads). */
export async function hostTensor(t: Tensor): Promise<HostTensor> {
  return { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
}

/**
 * Copies `length` bytes from `bytes[start..]` into a fresh buffer, reversing each `width`-byte
 * element when the file's byte order differs from the host's. The copy is aligned, so typed
 * arrays can view it whatever the file offset was.
 */
export function copyElements(
  bytes: Uint8Array,
  start: number,
  length: number,
  width: number,
  littleEndian: boolean,
): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(start, start + length));
  if (width > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapInPlace(out, width);
  return out.buffer;
}

/** Reverses the bytes of every `width`-byte element of `bytes` in place. */
export function swapInPlace(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const tmp = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = tmp;
    }
  }
}

/**
 * The bytes of a typed array in the requested byte order: a view of the same memory when the
 * order already matches (the caller copies it into the file), else a swapped copy.
 */
export function elementBytes(
  data: ArrayBufferView,
  width: number,
  littleEndian: boolean,
): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (width === 1 || littleEndian === HOST_LITTLE_ENDIAN) return view;
  const out = view.slice();
  swapInPlace(out, width);
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly; returns undefined for invalid bytes. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes Latin-1 (every byte is one character). */
export function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** Compares strings by their UTF-8 bytes (Rust's `str` order, used by the safetensors writer). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8(a);
  const y = utf8(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * `size * product(shape)` when it is an exact integer below 2^53, else -1 (a zero dimension
 * makes it 0 whatever the others are).
 */
export function byteSize(size: number, shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let n = size;
  for (const d of shape) {
    if (n > Number.MAX_SAFE_INTEGER / d) return -1;
    n *= d;
  }
  return n;
}
