import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { type Expected, expectTensor, fixture, json } from './formats-fixtures.js';

const { safetensors, SafetensorsError } = torch.io;

interface StExpected {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, Expected>;
}
const expected = json<{ safetensors: StExpected }>('expected.json').safetensors;

const enc = new TextEncoder();

/** A safetensors file from a header text and a data section (header length as given or true). */
function file(header: string, data: number | Uint8Array = 0, length?: number | bigint): Uint8Array {
  const h = enc.encode(header);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length ?? h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

function rejects(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    safetensors.deserialize(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SafetensorsError);
  expect((error as Error).message).toMatch(/^safetensors: /);
  expect((error as Error).message).toMatch(message);
}

const f32 = (name: string, shape: number[], offsets: [number, number]) =>
  `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

describe('safetensors: the reference implementation’s byte layout', () => {
  // Byte vectors from the reference crate's own tests (safetensors/src/tensor.rs).
  it('writes an empty file as {} padded with spaces', () => {
    expect(Array.from(safetensors.serialize({}))).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    expect(
      new TextDecoder().decode(safetensors.serialize({}, { metadata: { framework: 'pt' } })),
    ).toBe('(\0\0\0\0\0\0\0{"__metadata__":{"framework":"pt"}}     ');
  });

  it('writes one tensor exactly as the reference (with and without alignment padding)', () => {
    const x = torch.tensor([0, 1, 2, 3, 4, 5]);
    const out = safetensors.serialize({ 'attn.0': x.reshape(1, 2, 3) });
    const want = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121,
      112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50,
      44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48,
      44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64,
      0, 0, 160, 64,
    ];
    expect(Array.from(out)).toEqual(want);
    const aligned = safetensors.serialize({ attn0: x.reshape(1, 1, 2, 3) });
    expect(aligned[0]).toBe(72);
    expect(new TextDecoder().decode(aligned.subarray(8, 80))).toBe(
      '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ',
    );
  });

  it('reads every dtype of a file written from the specification by PyTorch', () => {
    const { tensors, metadata } = safetensors.deserialize(fixture('spec_all_dtypes.safetensors'));
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors)).toEqual(expected.order);
    for (const [name, want] of Object.entries(expected.tensors)) expectTensor(tensors[name]!, want);
  });

  it('orders tensors by descending dtype alignment, then by name (reproduces the spec file byte for byte)', () => {
    for (const name of ['spec_writable.safetensors', 'spec_no_metadata.safetensors']) {
      const bytes = fixture(name);
      const header = safetensors.parseHeader(bytes);
      const { tensors, metadata } = safetensors.deserialize(bytes);
      const dtypes = Object.fromEntries(
        header.names.map((n) => [
          n,
          header.entries[n]!.dtype as torch.io.safetensors.SafetensorsDType,
        ]),
      );
      const hasMeta = Object.keys(metadata).length > 0;
      const again = safetensors.serialize(tensors, { dtypes, ...(hasMeta ? { metadata } : {}) });
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('reads files whose tensors are not in the writer’s order (sorted by offsets)', () => {
    const path = join(__dirname, '../../autodag/test/fixtures/parity/mlp_init.safetensors');
    const bytes = new Uint8Array(readFileSync(path));
    const { tensors, metadata } = safetensors.deserialize(bytes);
    expect(metadata).toEqual({ model: 'mlp' });
    expect(Object.keys(tensors).slice(0, 2)).toEqual(['0.weight', '0.bias']);
    expect([...tensors['0.weight']!.shape]).toEqual([32, 20]);
  });
});

describe('safetensors: round trips', () => {
  const cases: [string, () => torch.Tensor][] = [
    ['float32', () => torch.randn(3, 4)],
    ['float64', () => torch.randn(2, 5, { dtype: 'float64' })],
    ['int32', () => torch.tensor([0, -1, 2147483647, -2147483648], { dtype: 'int32' })],
    [
      'bool',
      () =>
        torch.tensor([
          [true, false],
          [false, true],
        ]),
    ],
    ['0-d', () => torch.tensor(3.5)],
    ['empty', () => torch.zeros(0, 3)],
    ['non-contiguous', () => torch.arange(12).reshape(3, 4).t()],
    [
      'strided slice',
      () => torch.arange(20, undefined, 1, { dtype: 'float64' }).reshape(4, 5).narrow(1, 1, 3),
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const t = make();
      const back = safetensors.deserialize(safetensors.serialize({ t })).tensors.t!;
      expect(back.dtype).toBe(t.dtype);
      expect([...back.shape]).toEqual([...t.shape]);
      expect(back.isContiguous()).toBe(true);
      expect(Array.from(back.dataSync())).toEqual(Array.from(t.dataSync()));
    });
  }

  it('F16/BF16 only when asked, rounding like PyTorch; I64 for int32', () => {
    const x = torch.tensor([1, 0.1, 65504, 1e-8, -70000]);
    expect(safetensors.parseHeader(safetensors.serialize({ x })).entries.x!.dtype).toBe('F32');
    const bytes = safetensors.serialize(
      { x, y: x, l: torch.tensor([5, -7], { dtype: 'int32' }) },
      { dtypes: (name) => (name === 'x' ? 'F16' : name === 'y' ? 'BF16' : 'I64') },
    );
    const h = safetensors.parseHeader(bytes);
    expect(h.names).toEqual(['l', 'y', 'x']); // I64 > BF16 > F16
    const { tensors } = safetensors.deserialize(bytes);
    // PyTorch: torch.tensor([1, 0.1, 65504, 1e-8, -70000]).half() / .bfloat16()
    expect(tensors.x!.tolist()).toEqual([1, 0.0999755859375, 65504, 0, Number.NEGATIVE_INFINITY]);
    expect(tensors.y!.tolist()).toEqual([1, 0.10009765625, 65536, 1.0011717677116394e-8, -70144]);
    expect(tensors.l!.tolist()).toEqual([5, -7]);
  });

  it('keeps metadata (unicode included) and names needing JSON escapes', () => {
    const metadata = { format: 'pt', 'ünï "q"': 'tab\there\nline ✓' };
    const name = 'weird "name"\\\u0001/ü';
    const bytes = safetensors.serialize({ [name]: torch.ones(2) }, { metadata });
    const back = safetensors.deserialize(bytes);
    expect(back.metadata).toEqual(metadata);
    expect(Object.keys(back.tensors)).toEqual([name]);
  });

  it('decodes lazily with open() and partially with names', () => {
    const bytes = safetensors.serialize({
      a: torch.ones(2),
      b: torch.zeros(3, { dtype: 'int32' }),
    });
    const f = safetensors.open(bytes);
    expect(f.keys()).toEqual(['a', 'b']);
    expect(f.get('b').tolist()).toEqual([0, 0, 0]);
    expect(() => f.get('c')).toThrow(/tensor "c" not found \(the file holds 2: "a", "b"\)/);
    expect(Object.keys(safetensors.deserialize(bytes, { names: ['b'] }).tensors)).toEqual(['b']);
  });

  it('saveFile / loadFile (whole and partial reads)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodag-st-'));
    const path = join(dir, 'm.safetensors');
    const w = torch.randn(4, 3);
    await safetensors.saveFile({ w, b: torch.arange(3) }, path, { metadata: { step: '3' } });
    const all = await safetensors.loadFile(path);
    expect(all.metadata).toEqual({ step: '3' });
    expect(Array.from(all.tensors.w!.dataSync())).toEqual(Array.from(w.dataSync()));
    const part = await safetensors.loadFile(path, { names: ['b'] });
    expect(Object.keys(part.tensors)).toEqual(['b']);
    expect(part.tensors.b!.tolist()).toEqual([0, 1, 2]);
    await expect(safetensors.loadFile(path, { names: ['zz'] })).rejects.toThrow(/"zz" not found/);
  });
});

describe('safetensors: malformed and hostile files are rejected with the problem named', () => {
  it('file too short for the header length', () =>
    rejects(new Uint8Array(5), /file is 5 bytes, too short/));
  it('header length past the end of the file', () =>
    rejects(file('{}', 0, 100), /header length 100 runs past the end of the file \(10 bytes\)/));
  it('header over 100 MB', () => {
    rejects(
      file('{}', 0, 100_000_001),
      /header length 100000001 exceeds the limit of 100000000 bytes/,
    );
    rejects(file('{}', 0, 2n ** 63n), /header length 9223372036854775808 exceeds the limit/);
  });
  it('header not UTF-8', () =>
    rejects(
      file('{"a":1}').map((b, i) => (i === 10 ? 0xff : b)),
      /not valid UTF-8/,
    ));
  it('invalid JSON', () => {
    rejects(file('{"a":'), /header is not valid JSON: unexpected end of input/);
    rejects(file('{"a":{}} x'), /not valid JSON: unexpected text after/);
    rejects(file('['.repeat(100000)), /not valid JSON: nesting deeper than 64/);
  });
  it('header not an object', () =>
    rejects(file('[1]'), /header must be a JSON object, got an array/));
  it('unknown dtype', () =>
    rejects(
      file('{"a":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}', 4),
      /tensor "a" has unknown dtype "F7"/,
    ));
  it('known dtype autodag cannot read: the header parses, reading the tensor fails', () => {
    const bytes = file('{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', 2);
    expect(safetensors.parseHeader(bytes).names).toEqual(['a']);
    rejects(bytes, /tensor "a" has dtype F8_E4M3, which autodag cannot read/);
  });
  it('shape and offsets disagree', () =>
    rejects(
      file(`{${f32('a', [2, 3], [0, 20])}}`, 20),
      /tensor "a": shape \[2, 3\] of F32 needs 24 bytes, but data_offsets \[0, 20\] span 20/,
    ));
  it('shape whose size overflows', () =>
    rejects(
      file(`{${f32('a', [2 ** 30, 2 ** 30, 2 ** 30], [0, 4])}}`, 4),
      /needs more than 2\^53 bytes/,
    ));
  it('offsets out of range', () =>
    rejects(
      file(`{${f32('a', [2], [0, 8])}}`, 4),
      /tensor "a": data_offsets \[0, 8\] lie outside the data section \(4 bytes\)/,
    ));
  it('offsets ending before they begin, or malformed', () => {
    rejects(file(`{${f32('a', [0], [8, 4])}}`, 8), /data_offsets \[8, 4\] end before they begin/);
    rejects(
      file(`{${f32('a', [1], [0, 4, 8] as never)}}`, 4),
      /data_offsets must be \[begin, end\]/,
    );
    rejects(
      file(`{${f32('a', [1], [0.5, 4] as never)}}`, 4),
      /data_offsets must be \[begin, end\]/,
    );
  });
  it('overlapping tensors', () =>
    rejects(
      file(`{${f32('a', [2], [0, 8])},${f32('b', [2], [4, 12])}}`, 12),
      /tensors "a" and "b" overlap/,
    ));
  it('a hole in the data section', () =>
    rejects(
      file(`{${f32('a', [1], [0, 4])},${f32('b', [1], [8, 12])}}`, 12),
      /hole: bytes \[4, 8\) belong to no tensor \(before tensor "b"\)/,
    ));
  it('data not starting at 0', () =>
    rejects(file(`{${f32('a', [1], [4, 8])}}`, 8), /hole: bytes \[0, 4\)/));
  it('trailing bytes after the last tensor', () =>
    rejects(
      file(`{${f32('a', [1], [0, 4])}}`, 8),
      /data section holds 8 bytes but the tensors cover only 4/,
    ));
  it('non-integer, negative or non-numeric shapes', () => {
    rejects(
      file(`{${f32('a', [1.5], [0, 4])}}`, 4),
      /shape \[1.5\] must hold non-negative integers, got number 1.5/,
    );
    rejects(
      file(`{${f32('a', [-1], [0, 4])}}`, 4),
      /must hold non-negative integers, got number -1/,
    );
    rejects(file('{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}', 8), /got string "2"/);
    rejects(
      file('{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}', 8),
      /shape must be an array of integers/,
    );
    rejects(
      file('{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', 4),
      /non-negative integers/,
    );
  });
  it('duplicate tensor names', () =>
    rejects(
      file(`{${f32('a', [1], [0, 4])},${f32('a', [1], [4, 8])}}`, 8),
      /header names tensor "a" twice/,
    ));
  it('metadata that is not string → string', () => {
    rejects(
      file('{"__metadata__":{"k":1}}'),
      /__metadata__ must map strings to strings, but "k" is number 1/,
    );
    rejects(
      file('{"__metadata__":["x"]}'),
      /__metadata__ must be an object mapping strings to strings, got an array/,
    );
  });
  it('tensor entries of the wrong shape', () => {
    rejects(
      file('{"a":3}'),
      /tensor "a" must be an object with dtype, shape and data_offsets, got number 3/,
    );
    rejects(
      file('{"a":{"shape":[],"data_offsets":[0,0]}}'),
      /tensor "a": dtype must be a string, got null/,
    );
  });
  it('keys such as __proto__ are plain names', () => {
    const bytes = file(`{${f32('__proto__', [1], [0, 4])}}`, new Uint8Array([0, 0, 128, 63]));
    const { tensors } = safetensors.deserialize(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });
  it('int64 values outside int32 (written by PyTorch)', () =>
    rejects(
      fixture('spec_i64_overflow.safetensors'),
      /tensor "big": int64 value 2147483648 at flat index 1 does not fit in int32/,
    ));
});

describe('safetensors: writer errors', () => {
  it('names the bad input', () => {
    expect(() => safetensors.serialize({ a: [1, 2] as never })).toThrow(
      /"a" is not a Tensor \(got object\)/,
    );
    expect(() => safetensors.serialize({ __metadata__: torch.ones(1) })).toThrow(
      /"__metadata__" is reserved/,
    );
    expect(() =>
      safetensors.serialize({ a: torch.ones(1) }, { metadata: { k: 1 as never } }),
    ).toThrow(/metadata must map strings to strings, but "k" is a number/);
    expect(() =>
      safetensors.serialize({ a: torch.tensor([true]) }, { dtypes: { a: 'F16' } }),
    ).toThrow(/cannot write bool tensor "a" as F16/);
    expect(() =>
      safetensors.serialize({ a: torch.ones(1) }, { dtypes: { a: 'X9' as never } }),
    ).toThrow(/unknown dtype "X9"/);
    expect(() =>
      safetensors.serialize({ a: torch.ones(1) }, { dtypes: { a: 'X9' as never } }),
    ).toThrow(SafetensorsError);
  });
});
