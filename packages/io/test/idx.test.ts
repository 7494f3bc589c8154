import * as torch from 'autodag';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

const { readIdx, idxToTensor, IdxError } = torch.io;

type Code = 0x08 | 0x09 | 0x0b | 0x0c | 0x0d | 0x0e;
const SIZE: Record<Code, number> = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 };

/** An IDX file written independently of the reader: big-endian header and values. */
function idxBytes(code: Code, shape: number[], values: number[]): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * SIZE[code]);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d, false);
  });
  values.forEach((x, i) => {
    const p = header + i * SIZE[code];
    if (code === 0x08) v.setUint8(p, x);
    else if (code === 0x09) v.setInt8(p, x);
    else if (code === 0x0b) v.setInt16(p, x, false);
    else if (code === 0x0c) v.setInt32(p, x, false);
    else if (code === 0x0d) v.setFloat32(p, x, false);
    else v.setFloat64(p, x, false);
  });
  return out;
}

describe('readIdx', () => {
  const cases: [Code, string, number[]][] = [
    [0x08, 'uint8', [0, 1, 127, 128, 200, 255]],
    [0x09, 'int8', [-128, -1, 0, 1, 64, 127]],
    [0x0b, 'int16', [-32768, -2, 0, 258, 1000, 32767]],
    [0x0c, 'int32', [-2147483648, -70000, 0, 65536, 16909060, 2147483647]],
    [0x0d, 'float32', [-1.5, 0, 0.25, 3.140000104904175, 1e10, -7]],
    [0x0e, 'float64', [-1.5, 0, 0.1, Math.PI, 1e300, -7]],
  ];

  for (const [code, type, values] of cases) {
    it(`decodes type code 0x${code.toString(16)} (${type}) with big-endian dims and values`, () => {
      const idx = readIdx(idxBytes(code, [2, 3], values));
      expect(idx.type).toBe(type);
      expect(idx.shape).toEqual([2, 3]);
      expect(Array.from(idx.data)).toEqual(values);
      const t = idxToTensor(idx);
      expect(t.shape).toEqual([2, 3]);
      expect(t.dtype).toBe(type === 'float32' || type === 'float64' ? type : 'int32');
      expect((t.tolist() as number[][]).flat()).toEqual(values);
    });
  }

  it('inflates gzip input, and takes an ArrayBuffer', () => {
    const raw = idxBytes(0x08, [4], [9, 0, 0, 3]);
    const idx = readIdx(gzipSync(raw));
    expect(Array.from(idx.data)).toEqual([9, 0, 0, 3]);
    expect(Array.from(readIdx(raw.slice().buffer).data)).toEqual([9, 0, 0, 3]);
  });

  it('copies out of a Node Buffer that is a view into a larger pool', () => {
    for (const [code, values] of [
      [0x08, [1, 2, 250]],
      [0x09, [-1, 2, -128]],
    ] as [Code, number[]][]) {
      const pooled = Buffer.concat([
        Buffer.from([7, 7, 7]),
        Buffer.from(idxBytes(code, [3], values)),
      ]);
      const view = pooled.subarray(3);
      const idx = readIdx(view);
      expect(Array.from(idx.data)).toEqual(values);
      expect(idx.data.buffer.byteLength).toBe(3);
      view[idx.data.length + 7] = 99;
      expect(Array.from(idx.data)).toEqual(values);
    }
  });

  it('reads 0-d and empty arrays', () => {
    expect(readIdx(idxBytes(0x0c, [], [42]))).toMatchObject({ shape: [], type: 'int32' });
    expect(readIdx(idxBytes(0x08, [0, 28], [])).shape).toEqual([0, 28]);
  });

  it('reports truncated and malformed files clearly', () => {
    const good = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => readIdx(good.subarray(0, 3))).toThrow(/too short for an IDX file \(3 bytes/);
    expect(() => readIdx(good.subarray(0, 10))).toThrow(
      /truncated: its header declares 2 dimensions \(12 bytes\) but the file has 10 bytes/,
    );
    expect(() => readIdx(good.subarray(0, 15))).toThrow(
      /truncated: dims \[2, 3\] of uint8 need 6 data bytes after the 12-byte header, but 3 are present/,
    );
    const long = new Uint8Array(good.length + 2);
    long.set(good);
    expect(() => readIdx(long)).toThrow(/malformed: .* need 6 data bytes .* but 8 are present/);
    const bad = good.slice();
    bad[1] = 0x42;
    expect(() => readIdx(bad, 'labels.idx')).toThrow(
      /labels.idx is not an IDX file: the magic number must start with two zero bytes, got 0x00 0x42/,
    );
    const badType = good.slice();
    badType[2] = 0x0a;
    expect(() => readIdx(badType)).toThrow(/unknown IDX type code 0x0a/);
    const gz = gzipSync(good);
    expect(() => readIdx(gz.subarray(0, gz.length - 12))).toThrow(
      /looks gzip-compressed but could not be inflated/,
    );
  });

  it('every failure is an IdxError whose message starts with idx: and the name', () => {
    const good = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    const bad = good.slice();
    bad[2] = 0x0a;
    const gz = gzipSync(good);
    for (const bytes of [
      good.subarray(0, 3),
      good.subarray(0, 10),
      good.subarray(0, 15),
      bad,
      gz.subarray(0, gz.length - 12),
    ]) {
      expect(() => readIdx(bytes, 'f.idx')).toThrow(IdxError);
      expect(() => readIdx(bytes, 'f.idx')).toThrow(/^idx: f.idx /);
    }
    expect(() => readIdx(42 as never)).toThrow(IdxError);
  });
});
