/**
 * Hostile compressed inputs built in memory: deflate streams that expand far beyond their size,
 * gzip members with chosen trailers, and ZIP archives whose central directory says what a test
 * wants (shared local data, lying or ZIP64 sizes).
 */
/**
 * A raw deflate stream of `1 + 258 * copies` zero bytes: one fixed-Huffman block holding a literal
 * 0 and then 258-byte copies of it, 13 bits each (so 1 MiB of output costs about 6.5 KB).
 */
export function zeroBomb(copies: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((3 + 8 + 13 * copies + 7) / 8));
  let bit = 0;
  // Header fields are written least significant bit first, Huffman codes most significant first.
  const field = (value: number, n: number) => {
    for (let i = 0; i < n; i++, bit++) out[bit >> 3]! |= ((value >> i) & 1) << (bit & 7);
  };
  const code = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--, bit++) out[bit >> 3]! |= ((value >> i) & 1) << (bit & 7);
  };
  field(1, 1); // BFINAL
  field(1, 2); // BTYPE 01: fixed Huffman codes
  code(0x30, 8); // literal 0
  for (let i = 0; i < copies; i++) {
    code(0xc5, 8); // length code 285: 258 bytes
    code(0, 5); // distance code 0: 1 byte back
  }
  code(0, 7); // end of block
  return out;
}

/** A gzip member around a raw deflate `body`, with the trailer's CRC-32 and ISIZE as given. */
export function gzipMember(body: Uint8Array, crc: number, isize: number): Uint8Array {
  const out = new Uint8Array(10 + body.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  out.set(body, 10);
  const view = new DataView(out.buffer);
  view.setUint32(10 + body.length, crc, true);
  view.setUint32(14 + body.length, isize, true);
  return out;
}

/** A local entry: its header and data are written once, at the next offset. */
export interface RawLocal {
  name: string;
  body: Uint8Array;
}

/** A central-directory record pointing at `locals[local]`, with the sizes it claims. */
export interface RawRecord {
  name: string;
  local: number;
  method: 0 | 8;
  usize: number;
  /** Default: the local body's length. */
  csize?: number;
  crc?: number;
}

/**
 * A ZIP archive holding `locals`, described by `records` (sizes of 2^32 or more go into a
 * ZIP64 extra field); `count` overrides the entry count in the end record.
 */
export function rawZip(locals: RawLocal[], records: RawRecord[], count = records.length) {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const { name, body } of locals) {
    const n = enc.encode(name);
    const head = new Uint8Array(30 + n.length);
    const v = new DataView(head.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(26, n.length, true);
    head.set(n, 30);
    offsets.push(offset);
    parts.push(head, body);
    offset += head.length + body.length;
  }
  const dirOffset = offset;
  for (const r of records) {
    const n = enc.encode(r.name);
    const csize = r.csize ?? locals[r.local]!.body.length;
    const big = r.usize >= 2 ** 32;
    const rec = new Uint8Array(46 + n.length + (big ? 12 : 0));
    const v = new DataView(rec.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(10, r.method, true);
    v.setUint32(16, r.crc ?? 0, true);
    v.setUint32(20, csize, true);
    v.setUint32(24, big ? 0xffffffff : r.usize, true);
    v.setUint16(28, n.length, true);
    v.setUint32(42, offsets[r.local]!, true);
    rec.set(n, 46);
    if (big) {
      v.setUint16(30, 12, true);
      v.setUint16(46 + n.length, 1, true);
      v.setUint16(48 + n.length, 8, true);
      v.setUint32(50 + n.length, r.usize % 2 ** 32, true);
      v.setUint32(54 + n.length, Math.floor(r.usize / 2 ** 32), true);
    }
    parts.push(rec);
    offset += rec.length;
  }
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, count, true);
  v.setUint16(10, count, true);
  v.setUint32(12, offset - dirOffset, true);
  v.setUint32(16, dirOffset, true);
  parts.push(end);
  const out = new Uint8Array(offset + 22);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
