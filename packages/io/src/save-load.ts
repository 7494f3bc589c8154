/**
 * `save`/`load`: named tensors to and from files, the format chosen by the extension
 * (`.safetensors`, `.npz`, `.npy`), and the same at the bytes level for browsers.
 */
import { Tensor } from '@autodag/core';
import { readFileBytes, writeFileBytes } from './formats/node-fs.js';
import * as npy from './formats/npy.js';
import * as npz from './formats/npz.js';
import * as safetensors from './formats/safetensors.js';

/** The tensor file formats `save`/`load` handle. */
export type TensorFileFormat = 'safetensors' | 'npz' | 'npy';

/** Options for `save` and `saveToBytes`. */
export interface SaveOptions {
  /** The format (default: from the file extension for `save`, safetensors for `saveToBytes`). */
  format?: TensorFileFormat;
  /** safetensors only: string → string metadata stored in the header. */
  metadata?: Record<string, string>;
  /** npz only: deflate the entries (like `numpy.savez_compressed`). */
  compressed?: boolean;
}

/** Options for `load` and `loadFromBytes`. */
export interface LoadOptions {
  /** The format (default: from the extension, else from the file's first bytes). */
  format?: TensorFileFormat;
  /** Device for the tensors (default: the default device). */
  device?: string;
  /** npz only: most bytes the archive's entries may inflate to, in total (default 2 GiB). */
  maxInflatedBytes?: number;
  /** npz only: most arrays the archive may hold (default 100000). */
  maxEntries?: number;
}

const FORMATS: readonly TensorFileFormat[] = ['safetensors', 'npz', 'npy'];

function formatOfPath(path: string): TensorFileFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(path);
  const ext = m?.[1]?.toLowerCase();
  return FORMATS.find((f) => f === ext);
}

/** Guesses the format from the magic bytes: `\x93NUMPY`, a ZIP signature, else safetensors. */
function sniff(bytes: Uint8Array): TensorFileFormat {
  if (bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55) return 'npy';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return 'npz';
  return 'safetensors';
}

function checkFormat(format: unknown, op: string): TensorFileFormat {
  if (!FORMATS.includes(format as TensorFileFormat)) {
    throw new TypeError(
      `${op}: unknown format ${JSON.stringify(format)} (expected one of ${FORMATS.join(', ')})`,
    );
  }
  return format as TensorFileFormat;
}

function singleTensor(obj: Record<string, Tensor> | Tensor, op: string): Tensor {
  if (obj instanceof Tensor) return obj;
  const values = obj && typeof obj === 'object' ? Object.values(obj) : [];
  if (values.length !== 1 || !(values[0] instanceof Tensor)) {
    throw new TypeError(
      `${op}: the npy format holds exactly one tensor; got ${values.length} entries (use .npz or .safetensors for several)`,
    );
  }
  return values[0];
}

/**
 * Encodes tensors in `options.format` (default safetensors, which `loadFromBytes` recognises
 * without being told): a record of named tensors, or for `npy` one tensor.
 * @example
 * const bytes = await torch.io.saveToBytes(model.stateDict()) // safetensors
 * const arr = await torch.io.saveToBytes(x, { format: 'npy' })
 */
export async function saveToBytes(
  obj: Record<string, Tensor> | Tensor,
  options: SaveOptions = {},
): Promise<Uint8Array> {
  return encode(obj, { ...options, format: options?.format ?? 'safetensors' }, 'saveToBytes');
}

/** `saveToBytes`, with errors naming `op` (the function the caller used). */
async function encode(
  obj: Record<string, Tensor> | Tensor,
  options: SaveOptions,
  op: string,
): Promise<Uint8Array> {
  const format = checkFormat(options?.format, op);
  if (format === 'npy') return npy.serializeAsync(singleTensor(obj, op));
  if (obj instanceof Tensor) {
    throw new TypeError(
      `${op}: ${format} stores named tensors; pass an object such as { x: tensor }, or { format: 'npy' } for a single tensor`,
    );
  }
  if (format === 'npz') return npz.serializeAsync(obj, { compressed: options.compressed });
  return safetensors.serializeAsync(obj, { metadata: options.metadata });
}

/**
 * Decodes a tensor file's bytes into named tensors (an `.npy` array is named `arr_0`, numpy's
 * name for an unnamed array). The format is sniffed from the first bytes unless given.
 * @example
 * const { weight } = torch.io.loadFromBytes(bytes)
 */
export function loadFromBytes(
  bytes: Uint8Array,
  options: LoadOptions = {},
): Record<string, Tensor> {
  return decode(bytes, options, 'arr_0', 'loadFromBytes');
}

function decode(
  bytes: Uint8Array,
  options: LoadOptions,
  npyName: string,
  op: string,
): Record<string, Tensor> {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`${op}: expected a Uint8Array, got ${typeof bytes}`);
  const format = options.format === undefined ? sniff(bytes) : checkFormat(options.format, op);
  const read = { device: options.device };
  if (format === 'npy') return { [npyName]: npy.parse(bytes, read) };
  if (format === 'npz')
    return npz.parse(bytes, {
      ...read,
      maxInflatedBytes: options.maxInflatedBytes,
      maxEntries: options.maxEntries,
    });
  return safetensors.deserialize(bytes, read).tensors;
}

/**
 * Saves named tensors to a file (Node); the format comes from the extension (`.safetensors`,
 * `.npz`, `.npy` for a single tensor) unless `options.format` is given.
 * @example
 * await torch.io.save({ weight: w, bias: b }, 'model.safetensors')
 * await torch.io.save({ x }, 'x.npy')
 */
export async function save(
  obj: Record<string, Tensor> | Tensor,
  path: string,
  options: SaveOptions = {},
): Promise<void> {
  const format = options.format ?? formatOfPath(path);
  if (format === undefined) {
    throw new TypeError(
      `save: cannot tell the format of '${path}' from its extension; use .safetensors, .npz or .npy, or pass { format }`,
    );
  }
  const bytes = await encode(obj, { ...options, format }, 'save');
  await writeFileBytes(path, bytes, 'save');
}

/**
 * Loads named tensors from a file (Node). An `.npy` file gives one tensor named after the file
 * (`x.npy` → `{ x }`), as an entry of an `.npz` would be.
 * @example
 * const { weight, bias } = await torch.io.load('model.safetensors')
 */
export async function load(
  path: string,
  options: LoadOptions = {},
): Promise<Record<string, Tensor>> {
  const bytes = await readFileBytes(path, 'load');
  const format = options.format ?? formatOfPath(path);
  const stem = /([^/\\]*?)(\.[^./\\]*)?$/.exec(path)?.[1] || 'arr_0';
  return decode(bytes, { ...options, format }, stem, 'load');
}
