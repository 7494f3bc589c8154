/**
 * Validation of safetensors headers: the 8-byte length, the JSON header (strictly parsed: no
 * duplicate names), every entry's dtype, shape and offsets, and that the tensors tile the data
 * section exactly. Each problem is a {@link SafetensorsError} that names it.
 */
import { byteSize, decodeUtf8 } from './bytes.js';
import { ELEMENT_SIZE, type ElementKind } from './elements.js';
import { SafetensorsError } from './errors.js';
import { JsonSyntaxError, type JsonValue, parseJsonStrict } from './json.js';
import { setOwn } from './records.js';

/** The safetensors dtypes autodag reads (16-bit floats as float32, other integers as int32). */
export type SafetensorsDType =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64';

/** Reference enum order (ascending alignment): the writer sorts by it, descending. */
export const DTYPE_RANK: Readonly<Record<string, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  F8_E5M2: 3,
  F8_E4M3: 4,
  I16: 5,
  U16: 6,
  F16: 7,
  BF16: 8,
  I32: 9,
  U32: 10,
  F32: 11,
  F64: 12,
  I64: 13,
  U64: 14,
};

/** Element type of each readable safetensors dtype. */
export const KIND: Readonly<Record<SafetensorsDType, ElementKind>> = {
  BOOL: 'bool',
  U8: 'u8',
  I8: 'i8',
  I16: 'i16',
  U16: 'u16',
  F16: 'f16',
  BF16: 'bf16',
  I32: 'i32',
  U32: 'u32',
  F32: 'f32',
  F64: 'f64',
  I64: 'i64',
  U64: 'u64',
};

/** Valid dtypes that autodag has no type for: their size is known, reading them is an error. */
const UNREADABLE_SIZE: Readonly<Record<string, number>> = {
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  C64: 8,
};

/** The safetensors name of each element type. */
export const NAME_OF_KIND = Object.fromEntries(
  Object.entries(KIND).map(([name, kind]) => [kind, name]),
) as Record<ElementKind, SafetensorsDType>;

/** Largest header the reference reader accepts (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** Where one tensor lives in a safetensors file. */
export interface SafetensorsEntry {
  /** Stored dtype, e.g. `'F32'` (may be one autodag cannot read, such as `'F8_E4M3'`). */
  dtype: string;
  /** Tensor shape. */
  shape: number[];
  /** Byte range `[begin, end)` relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** The `__metadata__` map (empty when the file has none). */
  metadata: Record<string, string>;
  /** Every tensor, by name. */
  entries: Record<string, SafetensorsEntry>;
  /** Tensor names in file (data offset) order. */
  names: string[];
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** Throws a {@link SafetensorsError} with `message`. */
export function fail(message: string): never {
  throw new SafetensorsError(message);
}

function describe(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function elementSize(dtype: string): number | undefined {
  return dtype in KIND ? ELEMENT_SIZE[KIND[dtype as SafetensorsDType]] : UNREADABLE_SIZE[dtype];
}

/**
 * Reads the 8-byte header length from the first bytes of a file of `fileSize` bytes and checks it
 * against the file size and the 100 MB limit.
 */
export function headerLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8) {
    fail(
      `file is ${Math.min(fileSize, prefix.length)} bytes, too short to hold the 8-byte header length`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_SIZE) {
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    fail(`header length ${n} exceeds the limit of ${MAX_HEADER_SIZE} bytes (100 MB)`);
  }
  if (8 + lo > fileSize) {
    fail(`header length ${lo} runs past the end of the file (${fileSize} bytes)`);
  }
  return lo;
}

function parseShape(name: string, v: JsonValue | undefined): number[] {
  if (!Array.isArray(v))
    fail(`tensor "${name}": shape must be an array of integers, got ${describe(v ?? null)}`);
  for (const d of v) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(
        `tensor "${name}": shape ${JSON.stringify(v)} must hold non-negative integers, got ${describe(d)}`,
      );
    }
  }
  return v as number[];
}

function parseOffsets(name: string, v: JsonValue | undefined): [number, number] {
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
  ) {
    fail(
      `tensor "${name}": data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(v ?? null)}`,
    );
  }
  const [begin, end] = v as [number, number];
  if (end < begin) fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
  return [begin, end];
}

function parseMetadata(v: JsonValue): Record<string, string> {
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    fail(`__metadata__ must be an object mapping strings to strings, got ${describe(v)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string')
      fail(`__metadata__ must map strings to strings, but "${k}" is ${describe(s)}`);
    setOwn(out, k, s);
  }
  return out;
}

function parseEntry(name: string, v: JsonValue, dataLength: number): SafetensorsEntry {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail(
      `tensor "${name}" must be an object with dtype, shape and data_offsets, got ${describe(v)}`,
    );
  }
  const dtype = v.dtype;
  if (typeof dtype !== 'string')
    fail(`tensor "${name}": dtype must be a string, got ${describe(dtype ?? null)}`);
  const size = elementSize(dtype);
  if (size === undefined) fail(`tensor "${name}" has unknown dtype "${dtype}"`);
  const shape = parseShape(name, v.shape);
  const [begin, end] = parseOffsets(name, v.data_offsets);
  const nbytes = byteSize(size, shape);
  if (nbytes !== end - begin) {
    fail(
      `tensor "${name}": shape [${shape.join(', ')}] of ${dtype} needs ${nbytes < 0 ? 'more than 2^53' : nbytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  if (end > dataLength) {
    fail(
      `tensor "${name}": data_offsets [${begin}, ${end}] lie outside the data section (${dataLength} bytes)`,
    );
  }
  return { dtype, shape: shape.slice(), dataOffsets: [begin, end] };
}

/** Checks that the tensors tile the data section exactly: no overlap, no hole, no trailing bytes. */
function checkCoverage(entries: Record<string, SafetensorsEntry>, dataLength: number): string[] {
  const names = Object.keys(entries).sort((a, b) => {
    const x = entries[a]!.dataOffsets;
    const y = entries[b]!.dataOffsets;
    return x[0] - y[0] || x[1] - y[1];
  });
  let covered = 0;
  let previous = '';
  for (const name of names) {
    const [begin, end] = entries[name]!.dataOffsets;
    if (begin < covered) {
      fail(
        `tensors "${previous}" and "${name}" overlap (data_offsets of "${name}" begin at ${begin}, before ${covered})`,
      );
    }
    if (begin > covered) {
      fail(
        `data section has a hole: bytes [${covered}, ${begin}) belong to no tensor (before tensor "${name}")`,
      );
    }
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) {
    fail(
      `data section holds ${dataLength} bytes but the tensors cover only ${covered} (unexplained trailing bytes)`,
    );
  }
  return names;
}

/** Validates a header given the file's first `8 + length` bytes and its size. */
export function parseHeaderBytes(prefix: Uint8Array, fileSize: number): SafetensorsHeader {
  const n = headerLength(prefix, fileSize);
  if (prefix.length < 8 + n)
    fail(`header length ${n} runs past the end of the file (${prefix.length} bytes)`);
  const text = decodeUtf8(prefix.subarray(8, 8 + n));
  if (text === undefined) fail('header is not valid UTF-8');
  let json: JsonValue;
  try {
    json = parseJsonStrict(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    if (e.duplicateKey !== undefined && e.depth === 1) {
      fail(`header names tensor "${e.duplicateKey}" twice`);
    }
    fail(`header is not valid JSON: ${e.message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail(`header must be a JSON object, got ${describe(json)}`);
  }
  const dataLength = fileSize - 8 - n;
  let metadata: Record<string, string> = {};
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, v] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(v);
    else setOwn(entries, name, parseEntry(name, v, dataLength));
  }
  const names = checkCoverage(entries, dataLength);
  const ordered: Record<string, SafetensorsEntry> = {};
  for (const name of names) setOwn(ordered, name, entries[name]!);
  return { metadata, entries: ordered, names, dataStart: 8 + n };
}
