import { type DType, fromTypedArray, type Tensor } from '@autodag/core';
import { IdxError } from '../formats/errors.js';
import {
  checkLimit,
  DEFAULT_MAX_INFLATED_BYTES,
  gunzip,
  InflateFailure,
} from '../formats/inflate.js';

/** Element types of the IDX format, by their names in the format's description. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A decoded IDX file: element type, dimensions and the values in row-major order. */
export interface IdxArray {
  /** Element type named by the magic number's third byte. */
  type: IdxType;
  /** Dimensions from the header. */
  shape: number[];
  /** The values, in the natural typed array for `type` (host byte order). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, [IdxType, number]> = {
  8: ['uint8', 1],
  9: ['int8', 1],
  11: ['int16', 2],
  12: ['int32', 4],
  13: ['float32', 4],
  14: ['float64', 8],
};

/** Options for `readIdx` and `maybeGunzip`. */
export interface IdxReadOptions {
  /**
   * Most bytes a gzipped file may inflate to (default 2 GiB, `2 ** 31`); inflation stops as soon
   * as the output passes it, whatever the gzip trailer claims.
   */
  maxInflatedBytes?: number;
}

function fail(message: string): never {
  throw new IdxError(message);
}

/**
 * True when `bytes` start with the gzip magic number (0x1f 0x8b).
 * @example torch.io.isGzip(fs.readFileSync('train-images-idx3-ubyte.gz')) // true
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates gzip data (every member, each checked against its trailer's CRC-32 and size, at most
 * `options.maxInflatedBytes` in all); other bytes pass through. Corrupt, truncated or oversized
 * data fails with an `IdxError` naming `name`.
 * @example torch.io.maybeGunzip(bytes, 'labels.gz')
 */
export function maybeGunzip(
  bytes: Uint8Array,
  name = 'data',
  options: IdxReadOptions = {},
): Uint8Array {
  const max =
    checkLimit('maxInflatedBytes', options.maxInflatedBytes, fail) ?? DEFAULT_MAX_INFLATED_BYTES;
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzip(bytes, max);
  } catch (e) {
    if (!(e instanceof InflateFailure)) throw e;
    if (e.reason === 'cap')
      fail(
        `${name} inflates to more than ${max} bytes, the limit (raise it with the maxInflatedBytes option)`,
      );
    if (e.reason === 'memory') fail(`${name} cannot be inflated in memory: ${e.message}`);
    fail(
      `${name} looks gzip-compressed but could not be inflated (corrupt or truncated download?): ${e.message}`,
    );
  }
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/**
 * Decodes a file in the IDX format used by MNIST and Fashion-MNIST: a 4-byte magic number
 * (0, 0, type code, number of dimensions), big-endian 32-bit dimensions, then big-endian values.
 * Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
 * Gzip-compressed input is detected and inflated (see `maybeGunzip` for its checks and the
 * `maxInflatedBytes` limit). Truncated or malformed files throw an `IdxError` that names `name`
 * and says what was expected.
 * @example
 * const { type, shape, data } = torch.io.readIdx(fs.readFileSync('t10k-labels-idx1-ubyte.gz'));
 * // 'uint8', [10000], Uint8Array(10000)
 * torch.io.readIdx(bytes, 'big.idx.gz', { maxInflatedBytes: 2 ** 32 })
 */
export function readIdx(
  bytes: Uint8Array | ArrayBuffer,
  name = 'data',
  options: IdxReadOptions = {},
): IdxArray {
  if (!(bytes instanceof Uint8Array || bytes instanceof ArrayBuffer))
    fail(`expected ${name}'s bytes as a Uint8Array or ArrayBuffer, got ${typeof bytes}`);
  const buf = maybeGunzip(
    bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes),
    name,
    options,
  );
  if (buf.length < 4)
    fail(
      `${name} is too short for an IDX file (${buf.length} bytes; the magic number alone takes 4)`,
    );
  if (buf[0] !== 0 || buf[1] !== 0)
    fail(
      `${name} is not an IDX file: the magic number must start with two zero bytes, got ${hex(buf[0]!)} ${hex(buf[1]!)}`,
    );
  const entry = TYPES[buf[2]!];
  if (!entry)
    fail(
      `${name} has unknown IDX type code ${hex(buf[2]!)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`,
    );
  const [type, size] = entry;
  const ndim = buf[3]!;
  const header = 4 + 4 * ndim;
  if (buf.length < header)
    fail(
      `${name} is truncated: its header declares ${ndim} dimensions (${header} bytes) but the file has ${buf.length} bytes`,
    );
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n;
  }
  const need = count * size;
  const have = buf.length - header;
  if (have !== need)
    fail(
      `${name} is ${have < need ? 'truncated' : 'malformed'}: dims [${shape.join(', ')}] of ${type} need ${need} data bytes after the ${header}-byte header, but ${have} are present`,
    );
  return { type, shape, data: decode(view, header, count, type, size) };
}

function decode(
  view: DataView,
  start: number,
  count: number,
  type: IdxType,
  size: number,
): IdxArray['data'] {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, count * size);
  switch (type) {
    // Copies through the Uint8Array constructor: a Node Buffer's slice() would share its memory.
    case 'uint8':
      return new Uint8Array(bytes);
    case 'int8':
      return new Int8Array(new Uint8Array(bytes).buffer);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/**
 * The IDX array as a tensor: integer types become int32 (autodag's integer dtype), float32 and
 * float64 keep their type.
 * @example torch.io.idxToTensor(torch.io.readIdx(bytes)) // int32 tensor of shape [10000]
 */
export function idxToTensor(idx: IdxArray): Tensor {
  const dtype: DType =
    idx.type === 'float32' ? 'float32' : idx.type === 'float64' ? 'float64' : 'int32';
  const values =
    dtype === 'int32' && !(idx.data instanceof Int32Array) ? Int32Array.from(idx.data) : idx.data;
  return fromTypedArray(values as Int32Array | Float32Array | Float64Array, idx.shape, { dtype });
}
