/**
 * A minimal ZIP reader and writer for `.npz` archives (stored and deflated entries, ZIP64 sizes
 * as Python's `zipfile` writes them). The reader checks the whole central directory first
 * (zip-directory.ts), then the declared sizes against its limits, and only then copies or
 * inflates entries, each capped at its declared size and CRC-checked, so a damaged or hostile
 * archive fails with a message instead of hanging, running out of memory or reading out of
 * bounds. Compression itself is fflate's.
 */
import { deflateSync } from 'fflate';
import { utf8 } from './bytes.js';
import { crc32 } from './crc32.js';
import { DEFAULT_MAX_INFLATED_BYTES, InflateFailure, inflateRaw } from './inflate.js';
import { CENTRAL, END, LOCAL, readDirectory, type ZipRecord } from './zip-directory.js';

/** One file in an archive. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** Limits `readZip` enforces before copying or inflating anything. */
export interface ZipLimits {
  /** Most bytes the deflated entries may inflate to, all together (default 2 GiB). */
  maxInflatedBytes?: number;
  /** Most entries the archive may list (default 100000). */
  maxEntries?: number;
}

/** Default for `ZipLimits.maxEntries`. */
export const DEFAULT_MAX_ENTRIES = 100_000;

/** DOS date of 1980-01-01 00:00 (fixed so that archives are reproducible). */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Reads every entry of a ZIP archive; `fail` throws the caller's error type. Stored entries are
 * bounded by the archive's size (no two entries may share bytes); deflated ones by
 * `limits.maxInflatedBytes` in total, checked against their declared sizes before inflating.
 * @example readZip(bytes, (m) => { throw new Error(m) }) // [{ name: 'x.npy', data }]
 */
export function readZip(
  bytes: Uint8Array,
  fail: (message: string) => never,
  limits: ZipLimits = {},
): ZipEntry[] {
  const maxInflated = limits.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  const records = readDirectory(bytes, fail, limits.maxEntries ?? DEFAULT_MAX_ENTRIES);
  let total = 0;
  for (const { name, method, usize } of records) {
    if (method !== 8) continue;
    total += usize;
    if (total > maxInflated)
      fail(
        `entry '${name}' inflates to ${usize} bytes, ${usize > maxInflated ? 'more than' : `bringing the archive's total to ${total}, over`} the limit of ${maxInflated} bytes (raise it with the maxInflatedBytes option)`,
      );
  }
  return records.map((record) => ({ name: record.name, data: extract(bytes, record, fail) }));
}

/** An entry's bytes, inflated (at most its declared size) and checked against its CRC-32. */
function extract(bytes: Uint8Array, record: ZipRecord, fail: (message: string) => never) {
  const { name, method, crc, csize, usize, dataStart } = record;
  const raw = bytes.subarray(dataStart, dataStart + csize);
  let data: Uint8Array;
  if (method === 0) {
    data = raw.slice();
  } else {
    try {
      data = inflateRaw(raw, usize, usize);
    } catch (e) {
      if (!(e instanceof InflateFailure)) throw e;
      fail(
        e.reason === 'cap'
          ? `entry '${name}' inflates to more than the ${usize} bytes its header declares`
          : e.reason === 'memory'
            ? `entry '${name}' of ${usize} bytes cannot be held in memory: ${e.message}`
            : `entry '${name}' has corrupt deflate data (${e.message})`,
      );
    }
    if (data.length !== usize)
      fail(`entry '${name}' inflates to ${data.length} bytes, but its header says ${usize}`);
  }
  if (crc32(data) !== crc) fail(`entry '${name}' fails its CRC-32 check (the archive is damaged)`);
  return data;
}

/**
 * Writes a ZIP archive with entries stored (like `numpy.savez`) or deflated (like
 * `numpy.savez_compressed`), with a fixed timestamp so the same input gives the same bytes.
 * @example writeZip([{ name: 'x.npy', data }], false)
 */
export function writeZip(entries: readonly ZipEntry[], compress: boolean): Uint8Array {
  if (entries.length > 0xffff)
    throw new RangeError('writeZip: archives over 65535 entries are not supported');
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = utf8(name);
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
    const body = compress ? deflateSync(data, { level: 6 }) : data;
    const crc = crc32(data);
    if (offset + 30 + nameBytes.length + body.length > 0xffffffff) {
      throw new RangeError('writeZip: archives over 4 GB are not supported');
    }
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true); // version needed: 2.0 (deflate)
    lv.setUint16(6, flags, true);
    lv.setUint16(8, compress ? 8 : 0, true);
    lv.setUint16(10, 0, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);

    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, compress ? 8 : 0, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(38, 0o600 << 16, true); // external attributes: a regular file, rw-------
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const dirSize = centrals.reduce((n, c) => n + c.length, 0);
  const endRecord = new Uint8Array(22);
  const ev = new DataView(endRecord.buffer);
  ev.setUint32(0, END, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, endRecord]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
