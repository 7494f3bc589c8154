/**
 * The byte layout numpy writes: dtype descrs (`'<f4'`, `'|b1'`, …) and the padded header, so
 * that files written here are identical to `numpy.save`'s.
 */
import type { DType } from '@autodag/core';
import { HOST_LITTLE_ENDIAN, type HostTensor, utf8 } from './bytes.js';
import {
  canWrite,
  ELEMENT_SIZE,
  type ElementKind,
  encodeElements,
  NATIVE_KIND,
} from './elements.js';
import { NpyError } from './errors.js';

/** The magic string every `.npy` file starts with (`\x93NUMPY`). */
export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ARRAY_ALIGN = 64;
/** numpy leaves room to grow the first axis to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

function fail(message: string): never {
  throw new NpyError(message);
}

/** Options for `npy.serialize`. */
export interface NpyWriteOptions {
  /**
   * numpy dtype to store, e.g. `'<f2'` (float16), `'<i8'` (int64) or `'>f4'` (big-endian);
   * default: the tensor's own (`<f4`, `<f8`, `<i4`, `|b1`).
   */
  descr?: string;
}

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

/** An element kind and byte order from a descr such as `'<f4'`. */
export function parseDescr(descr: string): { kind: ElementKind; littleEndian: boolean } {
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

/**
 * Builds a `.npy` file from a tensor already read to the host.
 * @example buildNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) })
 */
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
