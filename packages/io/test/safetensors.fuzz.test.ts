import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const { safetensors, SafetensorsError } = torch.io;

/** Either a valid result whose tensors agree with their header, or a SafetensorsError. */
function readsOrRejects(bytes: Uint8Array): void {
  let result: ReturnType<typeof safetensors.deserialize>;
  try {
    result = safetensors.deserialize(bytes);
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return;
  }
  const header = safetensors.parseHeader(bytes);
  // Compared as sets: a JS object lists integer-like keys ('0') before the others.
  expect(Object.keys(result.tensors).sort()).toEqual([...header.names].sort());
  for (const name of header.names) {
    const t = result.tensors[name]!;
    expect([...t.shape]).toEqual(header.entries[name]!.shape);
    expect(t.dataSync().length).toBe(t.numel());
  }
  for (const v of Object.values(result.metadata)) expect(typeof v).toBe('string');
}

const dtypeArb = fc.constantFrom(
  'float32',
  'float64',
  'int32',
  'bool',
) as fc.Arbitrary<torch.DType>;
const tensorArb = fc
  .tuple(dtypeArb, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.integer())
  .map(([dtype, shape, seed]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => ((seed + i * 7919) % 201) - 100);
    const flat = dtype === 'bool' ? values.map((v) => v > 0) : values;
    return torch.tensor(flat as number[], { dtype }).reshape(shape);
  });
const tensorsArb = fc.dictionary(fc.string({ maxLength: 6 }), tensorArb, { maxKeys: 5 });
const storedArb = fc.constantFrom('F16', 'BF16', 'I64', undefined);

describe('safetensors fuzzing (fast-check)', () => {
  it('round-trips random tensors and dtypes', () => {
    fc.assert(
      fc.property(
        tensorsArb,
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        (tensors, metadata) => {
          const bytes = safetensors.serialize(tensors, { metadata });
          const back = safetensors.deserialize(bytes);
          expect(back.metadata).toEqual(metadata);
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [name, t] of Object.entries(tensors)) {
            expect(back.tensors[name]!.dtype).toBe(t.dtype);
            expect(back.tensors[name]!.tolist()).toEqual(t.tolist());
          }
          // Padding keeps the data 8-byte aligned; serializing again gives the same bytes.
          expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
          expect(safetensors.serialize(back.tensors, { metadata })).toEqual(bytes);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random byte corruption of valid files: valid results or SafetensorsError only', () => {
    fc.assert(
      fc.property(
        tensorsArb,
        storedArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        (tensors, stored, edits, cut) => {
          const dtypes = (_: string, t: torch.Tensor) =>
            stored === 'I64'
              ? t.dtype === 'int32'
                ? stored
                : undefined
              : torch.isFloatingPoint(t.dtype)
                ? stored
                : undefined;
          const bytes = safetensors.serialize(tensors, { dtypes: dtypes as never }).slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          readsOrRejects(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('corrupting the header text: valid results or SafetensorsError only', () => {
    const chars = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      ',',
      ':',
      '0',
      '9',
      '-',
      '.',
      'e',
      ' ',
      '\\',
      'x',
    );
    fc.assert(
      fc.property(
        tensorsArb,
        fc.array(fc.tuple(fc.nat(), chars), { minLength: 1, maxLength: 4 }),
        (tensors, edits) => {
          const bytes = safetensors.serialize(tensors, { metadata: { a: 'b' } }).slice();
          const n = new DataView(bytes.buffer).getUint32(0, true);
          for (const [at, c] of edits) bytes[8 + (at % n)] = c.charCodeAt(0);
          readsOrRejects(bytes);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random headers: valid results or SafetensorsError only', () => {
    const dim = fc.oneof(
      fc.integer({ min: -2, max: 6 }),
      fc.double(),
      fc.constant(2 ** 53),
      fc.string({ maxLength: 2 }),
    );
    const entry = fc.record(
      {
        dtype: fc.oneof(
          fc.constantFrom(
            'F32',
            'F64',
            'I32',
            'I64',
            'BOOL',
            'F16',
            'BF16',
            'U8',
            'I8',
            'I16',
            'U16',
            'U32',
            'U64',
            'F8_E4M3',
            'C64',
          ),
          fc.string({ maxLength: 4 }),
        ),
        shape: fc.oneof(fc.array(dim, { maxLength: 3 }), fc.anything()),
        data_offsets: fc.oneof(
          fc.tuple(fc.integer({ min: -1, max: 40 }), fc.integer({ min: -1, max: 40 })),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    const header = fc.dictionary(
      fc.oneof(fc.string({ maxLength: 3 }), fc.constant('__metadata__')),
      fc.oneof(
        entry,
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        fc.anything(),
      ),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(
        header,
        fc.integer({ min: 0, max: 48 }),
        fc.nat(),
        (h, dataLength, lengthDelta) => {
          const text = new TextEncoder().encode(JSON.stringify(h));
          const bytes = new Uint8Array(8 + text.length + dataLength);
          const declared =
            lengthDelta % 3 === 0 ? text.length : text.length + (lengthDelta % 11) - 5;
          new DataView(bytes.buffer).setUint32(0, Math.max(0, declared), true);
          bytes.set(text, 8);
          for (let i = 8 + text.length; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
          readsOrRejects(bytes);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('random bytes: valid results or SafetensorsError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => readsOrRejects(bytes)),
      { numRuns: 300 },
    );
  });
});
