import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/formats/crc32.js';
import { writeZip } from '../src/formats/zip.js';
import { rawZip, zeroBomb } from './hostile.js';

const { npz, npy, NpzError } = torch.io;

function rejects(bytes: Uint8Array, message: RegExp, options?: torch.io.npz.NpzReadOptions): void {
  let error: unknown;
  try {
    npz.parse(bytes, options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NpzError);
  expect((error as Error).message).toMatch(message);
}

/** 64 MiB of zeros in a 400 KB deflate stream. */
const bomb = zeroBomb(2 ** 26 / 258);

describe('npz: inflation is bounded in total, before anything is inflated', () => {
  it('many records pointing at one deflated entry are refused as overlapping', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({
      name: `a${i}.npy`,
      local: 0,
      method: 8 as const,
      usize: 2 ** 26,
    }));
    rejects(
      rawZip([{ name: 'a0.npy', body: bomb }], records),
      /entries 'a\d+.npy' and 'a\d+.npy' overlap: bytes \[0, \d+\) and \[0, \d+\)/,
    );
  });

  it('entries that are each within the limit but not together', () => {
    const data = npy.serialize(torch.zeros(1000)); // 4128 bytes each
    const bytes = writeZip(
      ['a', 'b', 'c'].map((n) => ({ name: `${n}.npy`, data })),
      true,
    );
    expect(Object.keys(npz.parse(bytes, { maxInflatedBytes: 3 * data.length }))).toEqual([
      'a',
      'b',
      'c',
    ]);
    rejects(
      bytes,
      /entry 'c.npy' inflates to 4128 bytes, bringing the archive's total to 12384, over the limit of 10000 bytes \(raise it with the maxInflatedBytes option\)/,
      { maxInflatedBytes: 10000 },
    );
    rejects(bytes, /entry 'a.npy' inflates to 4128 bytes, more than the limit of 100 bytes/, {
      maxInflatedBytes: 100,
    });
  });

  it('a stream that inflates beyond its declared size stops there', () => {
    const zip = rawZip(
      [{ name: 'x.npy', body: bomb }],
      [{ name: 'x.npy', local: 0, method: 8, usize: 100_000 }],
    );
    rejects(zip, /entry 'x.npy' inflates to more than the 100000 bytes its header declares/);
  });

  it('a lying 0xFFFFFFFE size within the deflate ratio is refused by the limit, not allocated', () => {
    const body = new Uint8Array(Math.ceil(0xfffffffe / 1032)); // never inflated
    const zip = rawZip(
      [{ name: 'x.npy', body }],
      [{ name: 'x.npy', local: 0, method: 8, usize: 0xfffffffe }],
    );
    rejects(
      zip,
      /entry 'x.npy' inflates to 4294967294 bytes, more than the limit of 2147483648 bytes \(raise it with the maxInflatedBytes option\)/,
    );
  });

  it('an honest ZIP64 size of 10 GiB names the entry, the size and the option', () => {
    const body = new Uint8Array(Math.ceil((10 * 2 ** 30) / 1032)); // never inflated
    const zip = rawZip(
      [{ name: 'big.npy', body }],
      [{ name: 'big.npy', local: 0, method: 8, usize: 10 * 2 ** 30 }],
    );
    rejects(
      zip,
      /entry 'big.npy' inflates to 10737418240 bytes, more than the limit of 2147483648 bytes \(raise it with the maxInflatedBytes option\)/,
    );
  });

  // Past a stream's end fflate's stream classes re-copy what follows at every step: unguarded,
  // these 8 MB of junk took minutes.
  it('junk after the end of a deflate stream is not buffered over and over', {
    timeout: 5000,
  }, () => {
    const data = npy.serialize(torch.arange(4));
    const stream = writeZip([{ name: 'x.npy', data }], true);
    const deflated = stream.subarray(35, 35 + new DataView(stream.buffer).getUint32(18, true));
    const body = new Uint8Array(deflated.length + 8_000_000).fill(7);
    body.set(deflated);
    const zip = rawZip(
      [{ name: 'x.npy', body }],
      [{ name: 'x.npy', local: 0, method: 8, usize: data.length, crc: crc32(data) }],
    );
    expect(npz.parse(zip).x!.tolist()).toEqual([0, 1, 2, 3]);
  });
});

describe('npz: the central directory must agree with the end record', () => {
  const data = npy.serialize(torch.ones(2));
  const three = () =>
    writeZip(
      ['a', 'b', 'c'].map((n) => ({ name: `${n}.npy`, data })),
      false,
    ).slice();

  it('a lowered entry count', () => {
    const bytes = three();
    const view = new DataView(bytes.buffer);
    view.setUint16(bytes.length - 14, 2, true);
    view.setUint16(bytes.length - 12, 2, true);
    rejects(
      bytes,
      /the end record lists 2 entries, but they fill only \[\d+, \d+\) of the central directory \[\d+, \d+\)/,
    );
  });

  it('a lowered count with a matching directory size', () => {
    const bytes = three();
    const view = new DataView(bytes.buffer);
    view.setUint16(bytes.length - 14, 2, true);
    view.setUint16(bytes.length - 12, 2, true);
    view.setUint32(bytes.length - 10, view.getUint32(bytes.length - 10, true) - 51, true);
    rejects(bytes, /does not end where the end record starts/);
  });

  it('different counts for this disk and in all', () => {
    const bytes = three();
    new DataView(bytes.buffer).setUint16(bytes.length - 14, 2, true);
    rejects(bytes, /counts 3 entries in all but 2 on this disk/);
  });
});

describe('npz: maxEntries', () => {
  const data = npy.serialize(torch.ones(1));
  const bytes = writeZip(
    Array.from({ length: 5 }, (_, i) => ({ name: `x${i}.npy`, data })),
    false,
  );
  it('archives over the limit are refused before their records are read', () => {
    expect(Object.keys(npz.parse(bytes, { maxEntries: 5 })).length).toBe(5);
    rejects(
      bytes,
      /archive lists 5 entries, more than the limit of 4 \(raise it with the maxEntries option\)/,
      { maxEntries: 4 },
    );
  });
  it('limits must be non-negative integers (or Infinity)', () => {
    expect(Object.keys(npz.parse(bytes, { maxEntries: Infinity })).length).toBe(5);
    rejects(bytes, /maxEntries must be a non-negative integer or Infinity, got -1/, {
      maxEntries: -1,
    });
    rejects(bytes, /maxInflatedBytes must be a non-negative integer or Infinity, got NaN/, {
      maxInflatedBytes: Number.NaN,
    });
  });
});
