/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}` padded
 * with spaces to a multiple of 8 bytes, then the raw little-endian tensor data. Files written here
 * are byte-identical to the reference writer's: tensors sorted by descending dtype alignment,
 * then by name. Reading validates the whole header before touching the data, so a malformed or
 * hostile file fails with a {@link SafetensorsError} naming the problem.
 * @module
 */
import { fromTypedArray, Tensor } from '@autodag/core';
import {
  byteSize,
  compareUtf8,
  decodeUtf8,
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
  READ_DTYPE,
} from './elements.js';
import { SafetensorsError } from './errors.js';
import { JsonSyntaxError, type JsonValue, parseJsonStrict } from './json.js';
import { readFileBytes, withRangeReader, writeFileBytes } from './node-fs.js';

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
const DTYPE_RANK: Readonly<Record<string, number>> = {
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

const KIND: Readonly<Record<SafetensorsDType, ElementKind>> = {
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

const NAME_OF_KIND = Object.fromEntries(
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

/** Options for writing safetensors. */
export interface SafetensorsWriteOptions {
  /**
   * String → string pairs stored as `__metadata__`, keys in sorted order (omitted when not given,
   * as the reference does).
   */
  metadata?: Record<string, string>;
  /**
   * The stored dtype per tensor name (or a function of the name and tensor); a tensor not listed
   * is written in its own dtype (`F32`, `F64`, `I32`, `BOOL`). Floating tensors may be narrowed to
   * `F16`/`BF16` (round to nearest even, as PyTorch) or widened; int32 may be written as `I64`.
   */
  dtypes?:
    | Record<string, SafetensorsDType>
    | ((name: string, tensor: Tensor) => SafetensorsDType | undefined);
}

/** Options for reading safetensors. */
export interface SafetensorsReadOptions {
  /** Read only these tensors (the others are never decoded; with `loadFile`, never read). */
  names?: readonly string[];
  /** Device for the tensors (default: the default device). */
  device?: string;
}

/** What `deserialize`/`loadFile` return. */
export interface SafetensorsContents {
  /** The tensors, by name, in file order. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
}

function fail(message: string): never {
  throw new SafetensorsError(message);
}

/** Sets an own property, even for keys such as `__proto__`. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
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
function headerLength(prefix: Uint8Array, fileSize: number): number {
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
function parseHeaderBytes(prefix: Uint8Array, fileSize: number): SafetensorsHeader {
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

/**
 * Parses and validates the header of a safetensors file without decoding any tensor.
 * @example
 * const h = torch.io.safetensors.parseHeader(bytes)
 * h.names // ['weight', 'bias']; h.entries.weight // { dtype: 'F32', shape: [2, 3], dataOffsets: [0, 24] }
 */
export function parseHeader(bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array))
    fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  return parseHeaderBytes(bytes, bytes.length);
}

function decodeEntry(
  name: string,
  entry: SafetensorsEntry,
  bytes: Uint8Array,
  start: number,
  device: string | undefined,
): Tensor {
  if (!(entry.dtype in KIND)) {
    fail(
      `tensor "${name}" has dtype ${entry.dtype}, which autodag cannot read (it has float32, float64, int32 and bool)`,
    );
  }
  const kind = KIND[entry.dtype as SafetensorsDType];
  const numel = (entry.dataOffsets[1] - entry.dataOffsets[0]) / ELEMENT_SIZE[kind];
  const data = decodeElements(kind, bytes, start, numel, true, (m) =>
    fail(`tensor "${name}": ${m}`),
  );
  const dtype = READ_DTYPE[kind];
  return fromTypedArray(data, entry.shape, device ? { dtype, device } : { dtype });
}

function selectNames(header: SafetensorsHeader, names: readonly string[] | undefined): string[] {
  if (!names) return header.names;
  for (const name of names) {
    if (!Object.hasOwn(header.entries, name)) {
      const have = header.names
        .slice(0, 10)
        .map((n) => `"${n}"`)
        .join(', ');
      fail(
        `tensor "${name}" not found (the file holds ${header.names.length}: ${have}${header.names.length > 10 ? ', …' : ''})`,
      );
    }
  }
  return [...names];
}

/** A safetensors file whose tensors are decoded only when asked for. */
export interface SafetensorsFile {
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Record<string, string>;
  /** The validated header. */
  readonly header: SafetensorsHeader;
  /** Tensor names in file order. */
  keys(): string[];
  /** Decodes one tensor. */
  get(name: string, options?: { device?: string }): Tensor;
}

/**
 * Validates the header of `bytes` and returns a reader that decodes tensors one at a time.
 * @example
 * const f = torch.io.safetensors.open(bytes)
 * f.keys() // ['weight', 'bias']
 * const w = f.get('weight')
 */
export function open(bytes: Uint8Array): SafetensorsFile {
  const header = parseHeader(bytes);
  return {
    metadata: header.metadata,
    header,
    keys: () => [...header.names],
    get(name, options = {}) {
      const [picked] = selectNames(header, [name]);
      const entry = header.entries[picked!]!;
      return decodeEntry(
        name,
        entry,
        bytes,
        header.dataStart + entry.dataOffsets[0],
        options.device,
      );
    },
  };
}

/**
 * Reads a safetensors file's tensors (all, or `names`) and metadata. 16-bit floats become float32;
 * 8/16-bit and 64-bit integers become int32 (64-bit values outside int32's range are an error).
 * @example
 * const { tensors, metadata } = torch.io.safetensors.deserialize(bytes)
 * tensors.weight.shape // [2, 3]
 */
export function deserialize(
  bytes: Uint8Array,
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  const header = parseHeader(bytes);
  const tensors: Record<string, Tensor> = {};
  for (const name of selectNames(header, options.names)) {
    const entry = header.entries[name]!;
    setOwn(
      tensors,
      name,
      decodeEntry(name, entry, bytes, header.dataStart + entry.dataOffsets[0], options.device),
    );
  }
  return { tensors, metadata: header.metadata };
}

function storedDtype(name: string, t: Tensor, options: SafetensorsWriteOptions): SafetensorsDType {
  const { dtypes } = options;
  const asked =
    typeof dtypes === 'function'
      ? dtypes(name, t)
      : dtypes && Object.hasOwn(dtypes, name)
        ? dtypes[name]
        : undefined;
  if (asked === undefined) return NAME_OF_KIND[NATIVE_KIND[t.dtype]];
  if (!(asked in KIND)) fail(`cannot write tensor "${name}" as unknown dtype "${asked}"`);
  if (!canWrite(t.dtype, KIND[asked])) {
    fail(`cannot write ${t.dtype} tensor "${name}" as ${asked}`);
  }
  return asked;
}

function checkInputs(
  tensors: Record<string, Tensor>,
  options: SafetensorsWriteOptions,
): [string, Tensor][] {
  if (tensors === null || typeof tensors !== 'object')
    fail(`serialize expects an object of named tensors, got ${tensors}`);
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor))
      fail(`"${name}" is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    if (name === '__metadata__')
      fail('"__metadata__" is reserved for the metadata and cannot name a tensor');
  }
  const { metadata } = options;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object')
      fail('metadata must be an object mapping strings to strings');
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        fail(`metadata must map strings to strings, but "${k}" is a ${typeof v}`);
    }
  }
  return entries;
}

/** Builds the file from tensors already read to the host. */
function build(
  items: [string, HostTensor, SafetensorsDType][],
  metadata: Record<string, string> | undefined,
): Uint8Array {
  items.sort((a, b) => DTYPE_RANK[b[2]]! - DTYPE_RANK[a[2]]! || compareUtf8(a[0], b[0]));
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareUtf8);
    parts.push(
      `"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`,
    );
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, host, dtype] of items) {
    const numel = host.shape.reduce((a, b) => a * b, 1);
    const chunk = encodeElements(KIND[dtype], host.data, numel, true);
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${host.shape.join(',')}],"data_offsets":[${offset},${offset + chunk.length}]}`,
    );
    chunks.push(chunk);
    offset += chunk.length;
  }
  const json = utf8(`{${parts.join(',')}}`);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_SIZE)
    fail(`header would be ${padded} bytes, over the ${MAX_HEADER_SIZE}-byte limit`);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setUint32(0, padded, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Writes tensors (any layout; views are written as their contiguous values) as safetensors bytes,
 * identical to what the reference `safetensors` library writes for the same tensors.
 * @example
 * const bytes = torch.io.safetensors.serialize({ weight: w, bias: b }, { metadata: { format: 'pt' } })
 * torch.io.safetensors.serialize({ x }, { dtypes: { x: 'F16' } }) // store x as float16
 */
export function serialize(
  tensors: Record<string, Tensor>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const entries = checkInputs(tensors, options);
  const items = entries.map(([name, t]): [string, HostTensor, SafetensorsDType] => [
    name,
    hostTensorSync(t),
    storedDtype(name, t, options),
  ]);
  return build(items, options.metadata);
}

/**
 * `serialize` for tensors on devices that read asynchronously.
 * @example const bytes = await torch.io.safetensors.serializeAsync({ weight: w })
 */
export async function serializeAsync(
  tensors: Record<string, Tensor>,
  options: SafetensorsWriteOptions = {},
): Promise<Uint8Array> {
  const entries = checkInputs(tensors, options);
  const items: [string, HostTensor, SafetensorsDType][] = [];
  for (const [name, t] of entries)
    items.push([name, await hostTensor(t), storedDtype(name, t, options)]);
  return build(items, options.metadata);
}

/**
 * Writes tensors to a `.safetensors` file (Node).
 * @example await torch.io.safetensors.saveFile({ weight: w }, 'model.safetensors')
 */
export async function saveFile(
  tensors: Record<string, Tensor>,
  path: string,
  options: SafetensorsWriteOptions = {},
): Promise<void> {
  await writeFileBytes(path, await serializeAsync(tensors, options), 'safetensors.saveFile');
}

/**
 * Reads a `.safetensors` file (Node). With `names`, reads only the header and those tensors'
 * bytes from disk.
 * @example
 * const { tensors } = await torch.io.safetensors.loadFile('model.safetensors')
 * const { tensors: some } = await torch.io.safetensors.loadFile('model.safetensors', { names: ['bias'] })
 */
export async function loadFile(
  path: string,
  options: SafetensorsReadOptions = {},
): Promise<SafetensorsContents> {
  if (!options.names)
    return deserialize(await readFileBytes(path, 'safetensors.loadFile'), options);
  return withRangeReader(path, 'safetensors.loadFile', async (file) => {
    const first = await file.read(0, 8);
    const n = headerLength(first, file.size);
    const header = parseHeaderBytes(await file.read(0, 8 + n), file.size);
    const tensors: Record<string, Tensor> = {};
    for (const name of selectNames(header, options.names)) {
      const entry = header.entries[name]!;
      const [begin, end] = entry.dataOffsets;
      const bytes = await file.read(header.dataStart + begin, end - begin);
      if (bytes.length !== end - begin)
        fail(`tensor "${name}": file ended early (it changed while being read)`);
      setOwn(tensors, name, decodeEntry(name, entry, bytes, 0, options.device));
    }
    return { tensors, metadata: header.metadata };
  });
}
