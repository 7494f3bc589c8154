/**
 * NumPy's `.npz` archives: a ZIP of `.npy` files, one per array (`name.npy`), stored by
 * `numpy.savez` and deflated by `numpy.savez_compressed`.
 * @module
 */
import type { Tensor } from '@autodag/core';
import { type HostTensor, hostTensor, hostTensorSync } from './bytes.js';
import { NpyError, NpzError } from './errors.js';
import { checkLimit } from './inflate.js';
import { parse as parseNpy } from './npy.js';
import { buildNpy } from './npy-layout.js';
import { setOwn, tensorEntries } from './records.js';
import { readZip, writeZip, type ZipLimits } from './zip.js';

/** Options for `npz.serialize`. */
export interface NpzWriteOptions {
  /** Deflate the entries (like `numpy.savez_compressed`); default stored (like `numpy.savez`). */
  compressed?: boolean;
  /** numpy dtype per array name, e.g. `{ labels: '<i8' }` (see `npy.serialize`'s `descr`). */
  descrs?: Record<string, string>;
}

/**
 * Options for `npz.parse`. The limits stop hostile archives (zip bombs, lying sizes, millions of
 * entries) before they cost memory or time; raise them for archives known to be larger.
 */
export interface NpzReadOptions {
  /** Device for the tensors (default: the default device). */
  device?: string;
  /**
   * Most bytes the compressed (deflated) entries may inflate to, all entries together
   * (default 2 GiB, `2 ** 31`). Stored entries are bounded by the archive's own size.
   */
  maxInflatedBytes?: number;
  /** Most arrays (entries) the archive may hold (default 100000). */
  maxEntries?: number;
}

function fail(message: string): never {
  throw new NpzError(message);
}

function limitsOf(options: NpzReadOptions): ZipLimits {
  return {
    maxInflatedBytes: checkLimit('maxInflatedBytes', options.maxInflatedBytes, fail),
    maxEntries: checkLimit('maxEntries', options.maxEntries, fail),
  };
}

/**
 * Reads every array of an `.npz` archive, keyed by name (the entry name without `.npy`, as
 * `numpy.load` does). Damaged or hostile archives fail with an `NpzError`; archives that would
 * inflate past `options.maxInflatedBytes` or list more than `options.maxEntries` arrays are
 * refused before anything is inflated.
 * @example
 * const { weight, bias } = torch.io.npz.parse(bytes)
 * torch.io.npz.parse(bytes, { maxInflatedBytes: 8 * 2 ** 30 }) // allow up to 8 GiB
 */
export function parse(bytes: Uint8Array, options: NpzReadOptions = {}): Record<string, Tensor> {
  if (!(bytes instanceof Uint8Array))
    fail(`expected the archive's bytes as a Uint8Array, got ${typeof bytes}`);
  const out: Record<string, Tensor> = {};
  for (const { name, data } of readZip(bytes, fail, limitsOf(options))) {
    if (!name.endsWith('.npy')) fail(`entry '${name}' is not a .npy array`);
    try {
      setOwn(out, name.slice(0, -4), parseNpy(data, { device: options.device }));
    } catch (e) {
      if (e instanceof NpyError) fail(`entry '${name}': ${e.message}`);
      throw e;
    }
  }
  return out;
}

function build(items: [string, HostTensor][], options: NpzWriteOptions): Uint8Array {
  const files = items.map(([name, host]) => {
    const descr =
      options.descrs && Object.hasOwn(options.descrs, name) ? options.descrs[name] : undefined;
    try {
      return { name: `${name}.npy`, data: buildNpy(host, { descr }) };
    } catch (e) {
      if (e instanceof NpyError) fail(`array '${name}': ${e.message}`);
      throw e;
    }
  });
  return writeZip(files, options.compressed === true);
}

/**
 * Writes named tensors as an `.npz` archive that `numpy.load` reads (entries `name.npy`).
 * @example
 * const bytes = torch.io.npz.serialize({ weight: w, bias: b })
 * torch.io.npz.serialize({ x }, { compressed: true }) // like numpy.savez_compressed
 */
export function serialize(
  tensors: Record<string, Tensor>,
  options: NpzWriteOptions = {},
): Uint8Array {
  return build(
    tensorEntries(tensors, fail).map(([name, t]) => [name, hostTensorSync(t)]),
    options,
  );
}

/**
 * `serialize` for tensors on devices that read asynchronously.
 * @example const bytes = await torch.io.npz.serializeAsync({ x })
 */
export async function serializeAsync(
  tensors: Record<string, Tensor>,
  options: NpzWriteOptions = {},
): Promise<Uint8Array> {
  const items: [string, HostTensor][] = [];
  for (const [name, t] of tensorEntries(tensors, fail)) items.push([name, await hostTensor(t)]);
  return build(items, options);
}
