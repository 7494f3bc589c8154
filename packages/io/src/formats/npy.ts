/**
 * NumPy's `.npy` array format (versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`, a version,
 * a little-endian header length (2 bytes in 1.0, 4 after), then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded so the data starts on a
 * 64-byte boundary, then the raw data. Writing reproduces `numpy.save` byte for byte.
 * @module
 */
import { type DType, fromTypedArray, permute, Tensor } from '@autodag/core';
import {
  byteSize,
  decodeLatin1,
  decodeUtf8,
  HOST_LITTLE_ENDIAN,
  type HostTensor,
  hostTensor,
  hostTensorSync,
  utf8,
} from './bytes.js';
import {
  canWrite,
  decodeElements,
  ELEMENT_SIZE,
  type ElementKind,
  encodeElements,
  NATIVE_KIND,
} from './elements.js';
import { NpyError } from './errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy leaves room to grow the first axis to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** Longest header accepted (numpy's own default limit is 10000 characters). */
const MAX_HEADER_LENGTH = 1_000_000;

const KIND_OF_CODE: Readonly<Record<string, ElementKind>> = {
  b1: 'bool',
  u1: 'u8',
  i1: 'i8',
  i2: 'i16',
  u2: 'u16',
  f2: 'f16',
  i4: 'i32',
  u4: 'u32',
  f4: 'f32',
  f8: 'f64',
  i8: 'i64',
  u8: 'u64',
};

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

/** Options for `npy.serialize`. */
export interface NpyWriteOptions {
  /**
   * numpy dtype to store, e.g. `'<f2'` (float16), `'<i8'` (int64) or `'>f4'` (big-endian);
   * default: the tensor's own (`<f4`, `<f8`, `<i4`, `|b1`).
   */
  descr?: string;
}

/** Options for `npy.parse`. */
export interface NpyReadOptions {
  /** Device for the tensor (default: the default device). */
  device?: string;
}

function fail(message: string): never {
  throw new NpyError(message);
}

/** An element kind and byte order from a descr such as `'<f4'`. */
function parseDescr(descr: string): { kind: ElementKind; littleEndian: boolean } {
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const kind = m ? KIND_OF_CODE[m[2]!] : undefined;
  if (!m || !kind) {
    const what = /^.O/.test(descr) ? ' (object arrays hold pickled Python objects)' : '';
    fail(
      `unsupported dtype descr '${descr}'${what}; autodag reads bool, 8/16/32/64-bit integers and 16/32/64-bit floats`,
    );
  }
  const order = m[1]!;
  if (order === '|' && ELEMENT_SIZE[kind] > 1)
    fail(`dtype descr '${descr}' needs a byte order ('<' or '>')`);
  return { kind, littleEndian: order === '>' ? false : order === '=' ? HOST_LITTLE_ENDIAN : true };
}

type PyValue = string | boolean | null | number | PyValue[];

/** Parses the Python dict literal of a header (strings, booleans, None and tuples of ints). */
function parseDictLiteral(text: string): Map<string, PyValue> {
  let pos = 0;
  const err = (what: string): never =>
    fail(`cannot parse header ${JSON.stringify(text.slice(0, 200))}: ${what} at position ${pos}`);
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const value = (depth: number): PyValue => {
    ws();
    const c = text[pos];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) err('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) err('escapes in strings are not supported');
      pos = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      if (depth > 2) err('nesting too deep');
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[pos] === close) {
          pos++;
          return items;
        }
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) err(`expected ',' or '${close}'`);
      }
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const num = /^-?\d+L?/.exec(text.slice(pos, pos + 40));
    if (!num) err('unexpected character');
    pos += num![0].length;
    return Number(num![0].replace('L', ''));
  };
  ws();
  if (text[pos] !== '{') err("expected '{'");
  pos++;
  const dict = new Map<string, PyValue>();
  for (;;) {
    ws();
    if (text[pos] === '}') {
      pos++;
      break;
    }
    const key = value(1);
    if (typeof key !== 'string') err('expected a string key');
    if (dict.has(key as string)) err(`duplicate key '${key}'`);
    ws();
    if (text[pos] !== ':') err("expected ':'");
    pos++;
    dict.set(key as string, value(1));
    ws();
    if (text[pos] === ',') pos++;
    else if (text[pos] !== '}') err("expected ',' or '}'");
  }
  ws();
  if (pos !== text.length) err('unexpected text after the dict');
  return dict;
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

function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** numpy's header for a C-order array, padded exactly as `numpy.lib.format` pads it. */
function headerBytes(descr: string, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const text = utf8(dict);
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const hlen = text.length + 1;
    const padlen = ARRAY_ALIGN - ((6 + 2 + lenBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (major === 1 && total > 0xffff) continue;
    const out = new Uint8Array(8 + lenBytes + total);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (lenBytes === 2) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    out.set(text, 8 + lenBytes);
    out.fill(0x20, 8 + lenBytes + text.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new NpyError('header too long'); // unreachable: version 2.0 holds 4 GB
}

function writeDescr(
  dtype: DType,
  asked: string | undefined,
): { descr: string; kind: ElementKind; littleEndian: boolean } {
  if (asked === undefined) {
    const kind = NATIVE_KIND[dtype];
    return {
      descr: kind === 'bool' ? '|b1' : kind === 'f32' ? '<f4' : kind === 'f64' ? '<f8' : '<i4',
      kind,
      littleEndian: true,
    };
  }
  const { kind, littleEndian } = parseDescr(asked);
  if (!canWrite(dtype, kind)) fail(`cannot write a ${dtype} tensor as '${asked}'`);
  return { descr: asked, kind, littleEndian };
}

/** Builds the file from a tensor already read to the host. */
export function buildNpy(host: HostTensor, options: NpyWriteOptions = {}): Uint8Array {
  const { descr, kind, littleEndian } = writeDescr(host.dtype, options.descr);
  const numel = host.shape.reduce((a, b) => a * b, 1);
  const head = headerBytes(descr, host.shape);
  const body = encodeElements(kind, host.data, numel, littleEndian);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
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
