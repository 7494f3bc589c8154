/**
 * NumPy's `.npy` array format (versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`, a version,
 * a little-endian header length (2 bytes in 1.0, 4 after), then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded so the data starts on a
 * 64-byte boundary, then the raw data. Writing reproduces `numpy.save` byte for byte.
 * @module
 */
import { fromTypedArray, permute, Tensor } from '@autodag/core';
import { byteSize, decodeLatin1, decodeUtf8, hostTensor, hostTensorSync } from './bytes.js';
import { decodeElements, ELEMENT_SIZE } from './elements.js';
import { NpyError } from './errors.js';
import { buildNpy, MAGIC, type NpyWriteOptions, parseDescr } from './npy-layout.js';
import { parseDictLiteral } from './py-literal.js';

export type { NpyWriteOptions } from './npy-layout.js';

/** Longest header accepted (numpy's own default limit is 10000 characters). */
const MAX_HEADER_LENGTH = 1_000_000;

/** A parsed `.npy` header. */
export interface NpyHeader {
  /** Format version, e.g. `[1, 0]`. */
  version: [number, number];
  /** numpy's dtype string, e.g. `'<f4'`. */
  descr: string;
  /** True when the data is stored column-major. */
  fortranOrder: boolean;
  /** Array shape. */
  shape: number[];
  /** Byte offset of the data. */
  dataStart: number;
}

/** Options for `npy.parse`. */
export interface NpyReadOptions {
  /** Device for the tensor (default: the default device). */
  device?: string;
}

function fail(message: string): never {
  throw new NpyError(message);
}

/**
 * Parses and validates a `.npy` header.
 * @example torch.io.npy.parseHeader(bytes) // { version: [1, 0], descr: '<f4', fortranOrder: false, shape: [2, 3], dataStart: 128 }
 */
export function parseHeader(bytes: Uint8Array): NpyHeader {
  if (!(bytes instanceof Uint8Array))
    fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not a .npy file (it does not start with the magic string \\x93NUMPY)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0)
    fail(`unsupported format version ${major}.${minor} (known: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('file ends inside the header length');
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (hlen > MAX_HEADER_LENGTH)
    fail(`header length ${hlen} exceeds the limit of ${MAX_HEADER_LENGTH}`);
  if (start + hlen > bytes.length)
    fail(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const raw = bytes.subarray(start, start + hlen);
  const text = major === 3 ? decodeUtf8(raw) : decodeLatin1(raw);
  if (text === undefined) fail('header is not valid UTF-8');
  const dict = parseDictLiteral(text);
  const keys = [...dict.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    fail(
      `header must have exactly the keys 'descr', 'fortran_order' and 'shape', got ${keys.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string')
    fail(
      `descr must be a dtype string; structured dtypes are not supported (got ${JSON.stringify(descr)})`,
    );
  if (typeof fortranOrder !== 'boolean')
    fail(`fortran_order must be True or False, got ${JSON.stringify(fortranOrder)}`);
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    fail(`shape must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return {
    version: [major, minor],
    descr: descr as string,
    fortranOrder: fortranOrder as boolean,
    shape: shape as number[],
    dataStart: start + hlen,
  };
}

/**
 * Reads a `.npy` file as a tensor. Column-major (`fortran_order`) data is transposed into
 * autodag's row-major layout; big-endian data is byte-swapped; float16 becomes float32, other
 * integer widths int32 (64-bit values outside int32's range are an error).
 * @example const x = torch.io.npy.parse(bytes) // e.g. float32 tensor of shape [2, 3]
 */
export function parse(bytes: Uint8Array, options: NpyReadOptions = {}): Tensor {
  const header = parseHeader(bytes);
  const { kind, littleEndian } = parseDescr(header.descr);
  const size = ELEMENT_SIZE[kind];
  const available = bytes.length - header.dataStart;
  const nbytes = byteSize(size, header.shape);
  if (nbytes < 0) {
    fail(
      `shape (${header.shape.join(', ')}) of '${header.descr}' needs more than the ${available} data bytes in the file`,
    );
  }
  if (nbytes > available) {
    fail(
      `shape (${header.shape.join(', ')}) of '${header.descr}' needs ${nbytes} data bytes, but the file holds ${available}`,
    );
  }
  const data = decodeElements(kind, bytes, header.dataStart, nbytes / size, littleEndian, fail);
  const opts = options.device ? { device: options.device } : {};
  if (!header.fortranOrder || header.shape.length < 2)
    return fromTypedArray(data, header.shape, opts);
  // Column-major data is the row-major array of the reversed shape; reversing the axes back and
  // copying gives autodag's row-major layout.
  const reversed = [...header.shape].reverse();
  const t = fromTypedArray(data, reversed, opts);
  return permute(
    t,
    reversed.map((_, i) => reversed.length - 1 - i),
  ).contiguous();
}

/**
 * Writes a tensor (any layout; written in C order) as `.npy` bytes, identical to `numpy.save`.
 * @example
 * const bytes = torch.io.npy.serialize(torch.arange(6).reshape(2, 3))
 * torch.io.npy.serialize(x, { descr: '<f2' }) // as float16
 */
export function serialize(t: Tensor, options: NpyWriteOptions = {}): Uint8Array {
  checkTensor(t);
  return buildNpy(hostTensorSync(t), options);
}

/**
 * `serialize` for tensors on devices that read asynchronously.
 * @example const bytes = await torch.io.npy.serializeAsync(x)
 */
export async function serializeAsync(
  t: Tensor,
  options: NpyWriteOptions = {},
): Promise<Uint8Array> {
  checkTensor(t);
  return buildNpy(await hostTensor(t), options);
}

function checkTensor(t: Tensor): void {
  if (!(t instanceof Tensor))
    fail(`serialize expects a Tensor, got ${t === null ? 'null' : typeof t}`);
}
