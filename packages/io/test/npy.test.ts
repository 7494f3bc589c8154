import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corruptedCopy, type Expected, expectTensor, fixture, json } from './formats-fixtures.js';

const { npy, NpyError } = torch.io;

interface NpyExpected {
  npy: Record<string, Expected>;
  npy_roundtrip: string[];
}
const expected = json<NpyExpected>('expected.json');

function rejects(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    npy.parse(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NpyError);
  expect((error as Error).message).toMatch(/^npy: /);
  expect((error as Error).message).toMatch(message);
}

/** A .npy file (version 1.0) with the given header text (padded like numpy) and data bytes. */
function npyFile(header: string, data: number | Uint8Array = 0): Uint8Array {
  const h = new TextEncoder().encode(header);
  const total = h.length + 1 + ((64 - ((10 + h.length + 1) % 64)) % 64);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(10 + total + d.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, total, true);
  out.fill(0x20, 10, 10 + total - 1);
  out.set(h, 10);
  out[10 + total - 1] = 0x0a;
  out.set(d, 10 + total);
  return out;
}

describe('npy: files written by numpy', () => {
  for (const [name, want] of Object.entries(expected.npy)) {
    it(`reads ${name}.npy`, () => expectTensor(npy.parse(fixture(`npy/${name}.npy`)), want));
  }

  it('reads Fortran-order arrays as row-major tensors', () => {
    const t = npy.parse(fixture('npy/fortran_i8.npy'));
    expect(t.isContiguous()).toBe(true);
    expect(t.get(1, 2, 3).item()).toBe(23 - 12);
    expect(npy.parseHeader(fixture('npy/fortran_i8.npy')).fortranOrder).toBe(true);
  });

  it('reports the header (version 1.0, 2.0 and 3.0)', () => {
    expect(npy.parseHeader(fixture('npy/f4.npy'))).toEqual({
      version: [1, 0],
      descr: '<f4',
      fortranOrder: false,
      shape: [2, 3],
      dataStart: 128,
    });
    expect(npy.parseHeader(fixture('npy/version_2.npy')).version).toEqual([2, 0]);
    expect(npy.parseHeader(fixture('npy/version_3.npy')).version).toEqual([3, 0]);
  });

  it('writes the same bytes as numpy.save for its own dtypes', () => {
    for (const name of expected.npy_roundtrip) {
      const bytes = fixture(`npy/${name}.npy`);
      const again = npy.serialize(npy.parse(bytes));
      // numpy.save picks version 1.0 whenever the header fits; version_2.npy was forced to 2.0.
      if (name === 'version_2') {
        const [h, g] = [npy.parseHeader(bytes), npy.parseHeader(again)];
        expect([g.version, g.descr, g.shape]).toEqual([[1, 0], h.descr, h.shape]);
        expect(again.subarray(g.dataStart)).toEqual(bytes.subarray(h.dataStart));
      } else {
        expect(Buffer.from(again).equals(Buffer.from(bytes)), name).toBe(true);
      }
    }
  });

  it('rejects int64 values that do not fit in int32', () =>
    rejects(
      fixture('npy/i8_overflow.npy'),
      /int64 value -2147483649 at flat index 1 does not fit in int32/,
    ));
});

describe('npy: round trips', () => {
  const cases: [string, () => torch.Tensor][] = [
    ['float32', () => torch.randn(3, 4)],
    ['float64', () => torch.randn(2, 2, 2, { dtype: 'float64' })],
    ['int32', () => torch.tensor([-5, 0, 2147483647], { dtype: 'int32' })],
    ['bool', () => torch.tensor([true, false, true])],
    ['0-d', () => torch.tensor(-1.25)],
    ['empty', () => torch.zeros(2, 0, 3)],
    ['non-contiguous', () => torch.arange(24).reshape(2, 3, 4).permute(2, 0, 1)],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const t = make();
      const back = npy.parse(npy.serialize(t));
      expect(back.dtype).toBe(t.dtype);
      expect(back.tolist()).toEqual(t.tolist());
    });
  }

  it('other descrs on request: <f2, <i8, big-endian', () => {
    const x = torch.tensor([1, 0.1, -2.5]);
    expect(npy.parse(npy.serialize(x, { descr: '<f2' })).tolist()).toEqual([
      1, 0.0999755859375, -2.5,
    ]);
    expect(npy.parse(npy.serialize(x, { descr: '>f8' })).tolist()).toEqual(
      Array.from(x.dataSync()),
    );
    const i = torch.tensor([-3, 2147483647], { dtype: 'int32' });
    const bytes = npy.serialize(i, { descr: '<i8' });
    expect(npy.parseHeader(bytes).descr).toBe('<i8');
    expect(npy.parse(bytes).tolist()).toEqual([-3, 2147483647]);
    expect(npy.parse(npy.serialize(i, { descr: '>i8' })).tolist()).toEqual([-3, 2147483647]);
    expect(() => npy.serialize(torch.tensor([true]), { descr: '<f4' })).toThrow(
      /cannot write a bool tensor as '<f4'/,
    );
  });
});

describe('npy: malformed files are rejected with the problem named', () => {
  it('bad magic', () => rejects(new Uint8Array([1, 2, 3]), /not a .npy file/));
  it('unknown version', () => {
    const b = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
    b[6] = 9;
    rejects(b, /unsupported format version 9.0/);
  });
  it('header length past the end', () => {
    const b = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
    new DataView(b.buffer).setUint16(8, 60000, true);
    rejects(b, /header length 60000 runs past the end of the file/);
  });
  it('unparsable header', () =>
    rejects(npyFile("{'descr': '<f4', 'fortran_order': Fals"), /cannot parse header/));
  it('missing or extra keys', () =>
    rejects(
      npyFile("{'descr': '<f4', 'shape': (1,), }", 4),
      /exactly the keys .* got 'descr', 'shape'/,
    ));
  it('duplicate keys', () =>
    rejects(
      npyFile("{'descr': '<f4', 'descr': '<f8', 'shape': (1,), }", 4),
      /duplicate key 'descr'/,
    ));
  it('unsupported dtypes', () => {
    rejects(
      npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8),
      /unsupported dtype descr '\|O' \(object arrays/,
    );
    rejects(
      npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),
      /unsupported dtype descr '<c8'/,
    );
    rejects(
      npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 8),
      /structured dtypes are not supported/,
    );
  });
  it('bad shapes', () => {
    rejects(
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4),
      /shape must be a tuple of non-negative integers/,
    );
    rejects(
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': 3, }", 4),
      /shape must be a tuple/,
    );
  });
  it('fortran_order not a bool', () =>
    rejects(
      npyFile("{'descr': '<f4', 'fortran_order': 1, 'shape': (1,), }", 4),
      /fortran_order must be True or False/,
    ));
  it('data shorter than the shape needs', () => {
    rejects(
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20),
      /needs 24 data bytes, but the file holds 20/,
    );
    rejects(
      npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8),
      /needs more than the 8 data bytes/,
    );
  });
});

describe('npy fuzzing (fast-check)', () => {
  it('random corruption of numpy files: a tensor or NpyError only', () => {
    const files = ['f4', 'i8', 'b1', 'fortran_f4', 'be_f8', 'version_3', 'scalar_f8'].map((n) =>
      fixture(`npy/${n}.npy`),
    );
    fc.assert(
      fc.property(corruptedCopy(files), (bytes) => {
        try {
          const t = npy.parse(bytes);
          expect(t.dataSync().length).toBe(t.numel());
        } catch (e) {
          if (!(e instanceof NpyError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
