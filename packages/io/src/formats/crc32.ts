/** CRC-32 (ISO 3309), the checksum ZIP and gzip store for each entry or member. */

let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  return table;
}

/**
 * CRC-32 of `bytes`; pass the CRC of the bytes before them as `crc` to checksum data that
 * arrives in pieces.
 * @example crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 * crc32(b, crc32(a)) === crc32(concat(a, b)) // true
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTable();
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
