/**
 * A minimal ZIP reader and writer for `.npz` archives (stored and deflated entries, ZIP64 sizes
 * as Python's `zipfile` writes them). The reader checks every offset and size against the archive
 * before reading, bounds the inflated size by the deflate format's maximum ratio, and verifies
 * each entry's CRC-32, so a damaged archive fails with a message instead of hanging or reading
 * out of bounds. Compression itself is fflate's.
 */
import { deflateSync, inflateSync } from 'fflate';
import { decodeLatin1, decodeUtf8, utf8 } from './bytes.js';

/** One file in an archive. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;
/** Deflate cannot expand more than about 1032:1; anything claiming more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;
/** DOS date of 1980-01-01 00:00 (fixed so that archives are reproducible). */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

let crcTable: Int32Array | undefined;

/**
 * CRC-32 (ISO 3309, as used by ZIP and gzip).
 * @example crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * Reads every entry of a ZIP archive; `fail` throws the caller's error type.
 * @example readZip(bytes, (m) => { throw new Error(m) }) // [{ name: 'x.npy', data }]
 */
export function readZip(bytes: Uint8Array, fail: (message: string) => never): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  const u16 = (at: number) =>
    at + 2 <= size ? view.getUint16(at, true) : fail(`archive truncated at byte ${at}`);
  const u32 = (at: number) =>
    at + 4 <= size ? view.getUint32(at, true) : fail(`archive truncated at byte ${at}`);
  const u64 = (at: number) => {
    const hi = u32(at + 4);
    if (hi >= 0x200000) fail(`64-bit size at byte ${at} is too large`);
    return hi * 2 ** 32 + u32(at);
  };

  // The end record sits in the last 22 + 65535 (maximum comment) bytes.
  let end = -1;
  for (let at = size - 22; at >= 0 && at >= size - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === END) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('not a zip archive (no end-of-central-directory record)');
  let count = u16(end + 10);
  let dirSize = u32(end + 12);
  let dirOffset = u32(end + 16);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    if (end < 20 || u32(end - 20) !== END64_LOCATOR) fail('ZIP64 end record locator is missing');
    const end64 = u64(end - 12);
    if (u32(end64) !== END64) fail('ZIP64 end-of-central-directory record is missing');
    count = u64(end64 + 32);
    dirSize = u64(end64 + 40);
    dirOffset = u64(end64 + 48);
  }
  if (dirOffset + dirSize > size)
    fail(
      `central directory [${dirOffset}, ${dirOffset + dirSize}) lies outside the ${size}-byte archive`,
    );
  if (count * 46 > dirSize)
    fail(`central directory of ${dirSize} bytes cannot hold ${count} entries`);

  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (u32(at) !== CENTRAL) fail(`central directory entry ${i} has a bad signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let csize = u32(at + 20);
    let usize = u32(at + 24);
    const nameLen = u16(at + 28);
    const extraLen = u16(at + 30);
    const commentLen = u16(at + 32);
    let local = u32(at + 42);
    if (at + 46 + nameLen + extraLen > size)
      fail(`central directory entry ${i} runs past the end of the archive`);
    const rawName = bytes.subarray(at + 46, at + 46 + nameLen);
    const name = flags & 0x800 ? decodeUtf8(rawName) : decodeLatin1(rawName);
    if (name === undefined) fail(`entry ${i} has a name that is not valid UTF-8`);
    if (flags & 1) fail(`entry '${name}' is encrypted`);
    if (usize === 0xffffffff || csize === 0xffffffff || local === 0xffffffff) {
      // ZIP64 extra field: the 8-byte values present are those whose 4-byte field is 0xffffffff.
      let x = at + 46 + nameLen;
      const xEnd = x + extraLen;
      let found = false;
      while (x + 4 <= xEnd) {
        const id = u16(x);
        const len = u16(x + 2);
        if (x + 4 + len > xEnd) break;
        if (id === 1) {
          let p = x + 4;
          const take = () => {
            if (p + 8 > x + 4 + len) fail(`entry '${name}' has a short ZIP64 extra field`);
            const v = u64(p);
            p += 8;
            return v;
          };
          if (usize === 0xffffffff) usize = take();
          if (csize === 0xffffffff) csize = take();
          if (local === 0xffffffff) local = take();
          found = true;
          break;
        }
        x += 4 + len;
      }
      if (!found) fail(`entry '${name}' needs a ZIP64 extra field but has none`);
    }
    if (seen.has(name)) fail(`archive holds '${name}' twice`);
    seen.add(name);
    if (u32(local) !== LOCAL) fail(`entry '${name}' points to a bad local header at byte ${local}`);
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    if (dataStart + csize > size)
      fail(
        `entry '${name}' data [${dataStart}, ${dataStart + csize}) runs past the end of the archive`,
      );
    const raw = bytes.subarray(dataStart, dataStart + csize);
    let data: Uint8Array;
    if (method === 0) {
      if (csize !== usize)
        fail(`stored entry '${name}' has compressed size ${csize} but size ${usize}`);
      data = raw.slice();
    } else if (method === 8) {
      if (usize > csize * MAX_DEFLATE_RATIO + 64) {
        fail(
          `entry '${name}' claims ${usize} bytes from ${csize} compressed bytes, beyond deflate's maximum ratio`,
        );
      }
      try {
        data = inflateSync(raw, { out: new Uint8Array(usize) });
      } catch (e) {
        fail(`entry '${name}' has corrupt deflate data (${(e as Error).message})`);
      }
      if (data.length !== usize)
        fail(`entry '${name}' inflates to ${data.length} bytes, but its header says ${usize}`);
    } else {
      fail(
        `entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      );
    }
    if (crc32(data) !== crc)
      fail(`entry '${name}' fails its CRC-32 check (the archive is damaged)`);
    entries.push({ name, data });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
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
