import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/formats/crc32.js';
import { writeZip } from '../src/formats/zip.js';
import { corruptedCopy, type Expected, expectTensor, fixture, json } from './formats-fixtures.js';

const { npz, npy, NpzError } = torch.io;

const expected = json<{ npz: Record<string, Expected>; npz_positional: Record<string, Expected> }>(
  'expected.json',
);

function rejects(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    npz.parse(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NpzError);
  expect((error as Error).message).toMatch(/^npz: /);
  expect((error as Error).message).toMatch(message);
}

/** A one-entry archive and the offsets of its parts. */
function single(compress = false, name = 'x.npy') {
  const data = npy.serialize(torch.arange(64));
  const bytes = writeZip([{ name, data }], compress).slice();
  const view = new DataView(bytes.buffer);
  const central = view.getUint32(bytes.length - 6, true);
  return { bytes, view, central, dataStart: 30 + name.length };
}

describe('npz: archives written by numpy', () => {
  for (const file of ['savez.npz', 'savez_compressed.npz']) {
    it(`reads ${file} (numpy.${file.slice(0, -4)}, ZIP64 local headers)`, () => {
      const tensors = npz.parse(fixture(file));
      expect(Object.keys(tensors)).toEqual(Object.keys(expected.npz));
      for (const [name, want] of Object.entries(expected.npz)) expectTensor(tensors[name]!, want);
    });
  }
  it('reads positional arrays as arr_0, arr_1', () => {
    const tensors = npz.parse(fixture('savez_positional.npz'));
    for (const [name, want] of Object.entries(expected.npz_positional))
      expectTensor(tensors[name]!, want);
  });
});

describe('npz: round trips', () => {
  const tensors = () => ({
    weight: torch.randn(3, 2),
    labels: torch.tensor([1, -2], { dtype: 'int32' }),
    mask: torch.tensor([true, false]),
    scalar: torch.tensor(2.5, { dtype: 'float64' }),
    empty: torch.zeros(0),
    transposed: torch.arange(6).reshape(2, 3).t(),
    'ünï code': torch.ones(1),
  });
  for (const compressed of [false, true]) {
    it(compressed ? 'compressed (deflate)' : 'stored', () => {
      const src = tensors();
      const bytes = npz.serialize(src, { compressed });
      const back = npz.parse(bytes);
      expect(Object.keys(back)).toEqual(Object.keys(src));
      for (const [name, t] of Object.entries(src)) {
        expect(back[name]!.dtype).toBe(t.dtype);
        expect(back[name]!.tolist()).toEqual(t.tolist());
      }
      expect(npz.serialize(src, { compressed })).toEqual(bytes); // fixed timestamps: reproducible
    });
  }
  it('compresses repetitive data and stores dtypes on request', () => {
    const x = torch.zeros(10000);
    expect(npz.serialize({ x }, { compressed: true }).length).toBeLessThan(400);
    const bytes = npz.serialize(
      { l: torch.tensor([7], { dtype: 'int32' }) },
      { descrs: { l: '<i8' } },
    );
    expect(npz.parse(bytes).l!.tolist()).toEqual([7]);
    expect(() => npz.serialize({ l: torch.tensor([true]) }, { descrs: { l: '<f4' } })).toThrow(
      /npz: array 'l': npy: cannot write a bool tensor as '<f4'/,
    );
  });
  it('an empty archive', () => expect(npz.parse(npz.serialize({}))).toEqual({}));
  it('crc32 check value', () =>
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926));
});

describe('npz: damaged or hostile archives are rejected with the problem named', () => {
  it('not a zip', () => rejects(new Uint8Array(100), /not a zip archive/));
  it('truncated', () => rejects(single().bytes.subarray(0, 200), /not a zip archive/));
  it('CRC mismatch', () => {
    const { bytes, dataStart } = single();
    bytes[dataStart + 200] ^= 1;
    rejects(bytes, /entry 'x.npy' fails its CRC-32 check/);
  });
  it('central directory outside the archive', () => {
    const { bytes, view } = single();
    view.setUint32(bytes.length - 6, 1e6, true);
    rejects(bytes, /central directory \[1000000, .*\) lies outside/);
  });
  it('bad local header offset', () => {
    const { bytes, view, central } = single();
    view.setUint32(central + 42, 7, true);
    rejects(bytes, /entry 'x.npy' points to a bad local header at byte 7/);
  });
  it('data running past the end', () => {
    const { bytes, view, central } = single();
    view.setUint32(central + 20, 1e6, true);
    view.setUint32(central + 24, 1e6, true);
    rejects(bytes, /entry 'x.npy' data \[35, 1000035\) runs past the end/);
  });
  it('a deflate bomb claim', () => {
    const { bytes, view, central } = single(true);
    view.setUint32(central + 24, 2 ** 31, true);
    rejects(
      bytes,
      /claims 2147483648 bytes from \d+ compressed bytes, beyond deflate's maximum ratio/,
    );
  });
  it('corrupt deflate data', () => {
    const { bytes, dataStart } = single(true);
    bytes[dataStart] = 0xff;
    rejects(bytes, /entry 'x.npy' has corrupt deflate data|inflates to|CRC-32/);
  });
  it('unsupported compression, encryption', () => {
    const a = single();
    a.view.setUint16(a.central + 10, 12, true);
    rejects(a.bytes, /compression method 12; only stored \(0\) and deflate \(8\)/);
    const b = single();
    b.view.setUint16(b.central + 8, 1, true);
    rejects(b.bytes, /entry 'x.npy' is encrypted/);
  });
  it('duplicate and non-.npy entries', () => {
    const data = npy.serialize(torch.ones(1));
    rejects(
      writeZip(
        [
          { name: 'a.npy', data },
          { name: 'a.npy', data },
        ],
        false,
      ),
      /holds 'a.npy' twice/,
    );
    rejects(
      writeZip([{ name: 'readme.txt', data }], false),
      /entry 'readme.txt' is not a .npy array/,
    );
  });
  it('a bad .npy inside names the entry', () => {
    const bad = writeZip([{ name: 'w.npy', data: new Uint8Array([1, 2, 3]) }], false);
    rejects(bad, /^npz: entry 'w.npy': npy: not a .npy file/);
  });
});

describe('npz fuzzing (fast-check)', () => {
  it('random corruption of numpy and autodag archives: tensors or NpzError only', () => {
    const files = [
      fixture('savez.npz'),
      fixture('savez_compressed.npz'),
      single(true).bytes,
      single(false).bytes,
    ];
    fc.assert(
      fc.property(corruptedCopy(files), (bytes) => {
        try {
          const out = npz.parse(bytes);
          for (const t of Object.values(out)) expect(t.dataSync().length).toBe(t.numel());
        } catch (e) {
          if (!(e instanceof NpzError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
