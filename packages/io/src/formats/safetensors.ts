/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}` padded
 * with spaces to a multiple of 8 bytes, then the raw little-endian tensor data. Files written here
 * are byte-identical to the reference writer's: tensors sorted by descending dtype alignment,
 * then by name. Reading validates the whole header before touching the data, so a malformed or
 * hostile file fails with a {@link SafetensorsError} naming the problem.
 * @module
 */
import { fromTypedArray, type Tensor } from '@autodag/core';
import { compareUtf8, type HostTensor, hostTensor, hostTensorSync, utf8 } from './bytes.js';
import {
  canWrite,
  decodeElements,
  ELEMENT_SIZE,
  encodeElements,
  NATIVE_KIND,
  READ_DTYPE,
} from './elements.js';
import { readFileBytes, withRangeReader, writeFileBytes } from './node-fs.js';
import { setOwn, tensorEntries } from './records.js';
import {
  DTYPE_RANK,
  fail,
  headerLength,
  KIND,
  MAX_HEADER_SIZE,
  NAME_OF_KIND,
  parseHeaderBytes,
  type SafetensorsDType,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header.js';

export {
  MAX_HEADER_SIZE,
  type SafetensorsDType,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header.js';

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
  const entries = tensorEntries(tensors, fail, (name) => {
    if (name === '__metadata__')
      fail('"__metadata__" is reserved for the metadata and cannot name a tensor');
  });
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
