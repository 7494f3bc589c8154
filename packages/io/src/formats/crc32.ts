/** CRC-32 (ISO 3309), the checksum ZIP and gzip store for each entry or member. */

/**
 * Eight 256-entry tables: table k gives the CRC contribution of a byte followed by k zero
 * bytes, so the loop folds in 8 bytes per step ("slicing-by-8", several times faster than one
 * byte at a time on tens of megabytes of dataset files).
 */
let tables: Int32Array | undefined;

function crcTables(): Int32Array {
  if (!tables) {
    tables = new Int32Array(8 * 256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      tables[n] = c;
    }
    for (let n = 0; n < 256; n++) {
      for (let k = 1; k < 8; k++) {
        const prev = tables[(k - 1) * 256 + n]!;
        tables[k * 256 + n] = tables[prev & 0xff]! ^ (prev >>> 8);
      }
    }
  }
  return tables;
}

/**
 * CRC-32 of `bytes`; pass the CRC of the bytes before them as `crc` to checksum data that
 * arrives in pieces.
 * @example crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 * crc32(b, crc32(a)) === crc32(concat(a, b)) // true
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTables();
  const n = bytes.length;
  let c = ~crc;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c =
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
