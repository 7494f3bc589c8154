/**
 * The ZIP central directory, read and checked against the archive before any entry is copied
 * or inflated: every offset and size lies inside the archive, the records fill exactly the
 * directory the end record describes, no two entries share bytes, and sizes are within
 * deflate's maximum ratio. ZIP64 sizes are read as Python's `zipfile` writes them.
 */
import { decodeLatin1, decodeUtf8 } from './bytes.js';
import { MAX_DEFLATE_RATIO } from './inflate.js';

export const LOCAL = 0x04034b50;
export const CENTRAL = 0x02014b50;
export const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;

/** One entry as the central directory describes it, checked against the archive. */
export interface ZipRecord {
  name: string;
  /** 0 (stored) or 8 (deflate). */
  method: number;
  crc: number;
  /** Bytes in the archive. */
  csize: number;
  /** Bytes once inflated, as declared. */
  usize: number;
  /** Offset of the entry's data, past its local header. */
  dataStart: number;
}

/** Little-endian reads that fail instead of reading past the end. */
function reader(bytes: Uint8Array, fail: (message: string) => never) {
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
  return { view, u16, u32, u64 };
}

/**
 * The central directory's records, in order; `fail` throws the caller's error type. An archive
 * listing more than `maxEntries` entries is refused before its records are read.
 * @example readDirectory(bytes, fail, 100_000) // [{ name: 'x.npy', method: 8, ... }]
 */
export function readDirectory(
  bytes: Uint8Array,
  fail: (message: string) => never,
  maxEntries: number,
): ZipRecord[] {
  const size = bytes.length;
  const { view, u16, u32, u64 } = reader(bytes, fail);

  // The end record sits in the last 22 + 65535 (maximum comment) bytes.
  let end = -1;
  for (let at = size - 22; at >= 0 && at >= size - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === END) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('not a zip archive (no end-of-central-directory record)');
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) fail('multi-disk archives are not supported');
  let count = u16(end + 10);
  let onDisk = u16(end + 8);
  let dirSize = u32(end + 12);
  let dirOffset = u32(end + 16);
  // The directory ends where the (ZIP64) end record starts.
  let dirEnd = end;
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    if (end < 20 || u32(end - 20) !== END64_LOCATOR) fail('ZIP64 end record locator is missing');
    dirEnd = u64(end - 12);
    if (u32(dirEnd) !== END64) fail('ZIP64 end-of-central-directory record is missing');
    onDisk = u64(dirEnd + 24);
    count = u64(dirEnd + 32);
    dirSize = u64(dirEnd + 40);
    dirOffset = u64(dirEnd + 48);
  }
  if (onDisk !== count)
    fail(`the end record counts ${count} entries in all but ${onDisk} on this disk`);
  if (dirOffset + dirSize > size)
    fail(
      `central directory [${dirOffset}, ${dirOffset + dirSize}) lies outside the ${size}-byte archive`,
    );
  if (dirOffset + dirSize !== dirEnd)
    fail(
      `central directory [${dirOffset}, ${dirOffset + dirSize}) does not end where the end record starts (byte ${dirEnd})`,
    );
  if (count * 46 > dirSize)
    fail(`central directory of ${dirSize} bytes cannot hold ${count} entries`);
  if (count > maxEntries)
    fail(
      `archive lists ${count} entries, more than the limit of ${maxEntries} (raise it with the maxEntries option)`,
    );

  const records: ZipRecord[] = [];
  const spans: { start: number; end: number; name: string }[] = [];
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
    if (at + 46 + nameLen + extraLen + commentLen > dirEnd)
      fail(`central directory entry ${i} runs past the end of the directory`);
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
    if (dataStart + csize > dirOffset)
      fail(
        `entry '${name}' data [${dataStart}, ${dataStart + csize}) runs into the central directory at byte ${dirOffset}`,
      );
    if (method === 0) {
      if (csize !== usize)
        fail(`stored entry '${name}' has compressed size ${csize} but size ${usize}`);
    } else if (method === 8) {
      if (usize > csize * MAX_DEFLATE_RATIO + 64)
        fail(
          `entry '${name}' claims ${usize} bytes from ${csize} compressed bytes, beyond deflate's maximum ratio`,
        );
    } else {
      fail(
        `entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      );
    }
    records.push({ name, method, crc, csize, usize, dataStart });
    spans.push({ start: local, end: dataStart + csize, name });
    at += 46 + nameLen + extraLen + commentLen;
  }
  if (at !== dirEnd)
    fail(
      `the end record lists ${count} entries, but they fill only [${dirOffset}, ${at}) of the central directory [${dirOffset}, ${dirEnd})`,
    );
  checkDisjoint(spans, fail);
  return records;
}

/**
 * Refuses entries whose local header and data overlap another's: many records pointing at one
 * entry would otherwise copy or inflate the same bytes again and again.
 */
function checkDisjoint(
  spans: { start: number; end: number; name: string }[],
  fail: (message: string) => never,
): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const [prev, cur] = [sorted[i - 1]!, sorted[i]!];
    if (cur.start < prev.end)
      fail(
        `entries '${prev.name}' and '${cur.name}' overlap: bytes [${prev.start}, ${prev.end}) and [${cur.start}, ${cur.end}) of the archive`,
      );
  }
}
