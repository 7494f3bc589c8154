import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose } from './elementwise-helpers.js';

/**
 * Broadcasting and layouts, property-based: random broadcastable shapes, operands stored as
 * permuted (non-contiguous) or sliced views, compared against a naive index-by-index reference.
 */

/** The broadcast of two shapes, written out plainly for the reference. */
function naiveBroadcast(x: number[], y: number[]): number[] {
  const n = Math.max(x.length, y.length);
  const px = Array(n - x.length)
    .fill(1)
    .concat(x);
  const py = Array(n - y.length)
    .fill(1)
    .concat(y);
  return px.map((d, i) => (d === 1 ? py[i] : d));
}

/** Two operand shapes derived from a random shape (dims dropped or set to 1), and their broadcast. */
const broadcastShapes = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: out.length }),
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      )
      .map(([dropA, dropB, onesA, onesB]) => {
        const derive = (drop: number, ones: boolean[]) =>
          out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s));
        const a = derive(dropA, onesA);
        const b = derive(dropB, onesB);
        return { out: naiveBroadcast(a, b), a, b };
      }),
  );

type Layout = 'contiguous' | 'permuted' | 'sliced';
const layouts = fc.constantFrom<Layout>('contiguous', 'permuted', 'sliced');

/** A tensor of `shape` holding `values` (row-major), stored with the given layout. */
function build(
  values: number[],
  shape: number[],
  layout: Layout,
  dtype: torch.DType,
): torch.Tensor {
  if (layout === 'contiguous' || shape.length === 0) {
    return torch.tensor(values, { dtype }).reshape(shape);
  }
  if (layout === 'permuted') {
    // Store the dims reversed, then permute back: same values, reversed strides.
    const rev = shape.slice().reverse();
    const n = values.length;
    const stored = new Array<number>(n);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1));
    const revStrides = rev.map((_, i) => rev.slice(i + 1).reduce((p, s) => p * s, 1));
    for (let k = 0; k < n; k++) {
      let r = 0;
      for (let d = 0; d < shape.length; d++) {
        const idx = Math.floor(k / strides[d]!) % shape[d]!;
        r += idx * revStrides[shape.length - 1 - d]!;
      }
      stored[r] = values[k]!;
    }
    const perm = shape.map((_, i) => shape.length - 1 - i);
    return torch.tensor(stored, { dtype }).reshape(rev).permute(perm);
  }
  // Sliced: every other element of a buffer twice as long along the last dim, at offset 1.
  const last = shape[shape.length - 1]!;
  const wide = shape.slice(0, -1).concat([2 * last + 1]);
  const stored = new Array<number>(wide.reduce((p, s) => p * s, 1)).fill(-999);
  const rows = values.length / Math.max(last, 1);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < last; j++) stored[r * (2 * last + 1) + 1 + 2 * j] = values[r * last + j]!;
  const t = torch.tensor(stored, { dtype }).reshape(wide);
  return torch.asStrided(
    t,
    shape,
    shape.map((_, i) =>
      i === shape.length - 1 ? 2 : wide.slice(i + 1).reduce((p, s) => p * s, 1),
    ),
    1,
  );
}

/** Reads operand `shape`'s element for output index `idx` (broadcast rules). */
function at(values: number[], shape: number[], out: number[], idx: number[]): number {
  let flat = 0;
  const lead = out.length - shape.length;
  for (let d = 0; d < shape.length; d++) {
    const i = shape[d] === 1 ? 0 : idx[d + lead]!;
    flat = flat * shape[d]! + i;
  }
  return values[flat]!;
}

function reference(
  out: number[],
  operands: [number[], number[]][],
  f: (...v: number[]) => number,
): number[] {
  const n = out.reduce((p, s) => p * s, 1);
  const res: number[] = [];
  for (let k = 0; k < n; k++) {
    const idx: number[] = [];
    let rest = k;
    for (let d = out.length - 1; d >= 0; d--) {
      idx[d] = rest % out[d]!;
      rest = Math.floor(rest / out[d]!);
    }
    res.push(f(...operands.map(([v, s]) => at(v, s, out, idx))));
  }
  return res;
}

/** Signed zeros are not what these properties are about (int results have none). */
const unsignZeros = (v: ArrayLike<number>) => Array.from(v, (x) => (x === 0 ? 0 : x));
const numel = (s: number[]) => s.reduce((p, x) => p * x, 1);
const vals = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => (((i * 7919 + seed * 104729) % 97) - 48) / 8);

type Op = [
  string,
  (a: torch.Tensor, b: torch.Tensor) => torch.Tensor,
  (x: number, y: number) => number,
];
const OPS: Op[] = [
  ['add', (a, b) => a.add(b), (x, y) => x + y],
  ['sub', (a, b) => a.sub(b), (x, y) => x - y],
  ['mul', (a, b) => a.mul(b), (x, y) => x * y],
  ['maximum', (a, b) => torch.maximum(a, b), (x, y) => Math.max(x, y)],
  ['lt', (a, b) => a.lt(b), (x, y) => (x < y ? 1 : 0)],
  ['where', (a, b) => torch.where(a.gt(0), a, b), (x, y) => (x > 0 ? x : y)],
  ['clamp', (a, b) => torch.clamp(a, b, null), (x, y) => Math.max(x, y)],
];

describe('broadcasting over random shapes and layouts matches a naive reference', () => {
  for (const [name, f, ref] of OPS) {
    it(name, () => {
      fc.assert(
        fc.property(
          broadcastShapes,
          layouts,
          layouts,
          fc.constantFrom<torch.DType>('float32', 'float64', 'int32'),
          fc.integer({ min: 0, max: 1000 }),
          ({ out, a, b }, la, lb, dtype, seed) => {
            const va = vals(numel(a), seed).map((v) => (dtype === 'int32' ? Math.trunc(v) : v));
            const vb = vals(numel(b), seed + 1).map((v) => (dtype === 'int32' ? Math.trunc(v) : v));
            const ta = build(va, a, la, dtype);
            const tb = build(vb, b, lb, dtype);
            expect(Array.from(ta.dataSync())).toEqual(
              Array.from(torch.tensor(va, { dtype }).dataSync()),
            );
            const r = f(ta, tb);
            expect(r.shape).toEqual(out);
            const expected = reference(
              out,
              [
                [va, a],
                [vb, b],
              ],
              ref,
            );
            expectClose(unsignZeros(r.dataSync()), unsignZeros(expected), 1e-6, name);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('unary ops read permuted and sliced views', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        layouts,
        (shape, layout) => {
          const v = vals(numel(shape), 3);
          const x = build(v, shape, layout, 'float64');
          expectClose(x.exp().dataSync(), v.map(Math.exp), 1e-12, 'exp');
          expectClose(x.abs().dataSync(), v.map(Math.abs), 0, 'abs');
          expectClose(
            x.pow(2).dataSync(),
            v.map((y) => y * y),
            1e-12,
            'pow',
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('where broadcasts three operands', () => {
    fc.assert(
      fc.property(broadcastShapes, fc.integer({ min: 0, max: 3 }), ({ out, a, b }, drop) => {
        const c = out.slice(Math.min(drop, out.length)).map((s, i) => (i % 2 ? 1 : s));
        const vc = vals(numel(c), 5).map((v) => (v > 0 ? 1 : 0));
        const va = vals(numel(a), 6);
        const vb = vals(numel(b), 7);
        const r = torch.where(
          torch.tensor(vc, { dtype: 'bool' }).reshape(c),
          torch.tensor(va, { dtype: 'float64' }).reshape(a),
          torch.tensor(vb, { dtype: 'float64' }).reshape(b),
        );
        const full = naiveBroadcast(out, c);
        expect(r.shape).toEqual(full);
        const expected = reference(
          full,
          [
            [vc, c],
            [va, a],
            [vb, b],
          ],
          (k, x, y) => (k ? x! : y!),
        );
        expectClose(r.dataSync(), expected, 0, 'where');
      }),
      { numRuns: 150 },
    );
  });
});

describe('broadcast errors', () => {
  it('name the op and both shapes', () => {
    expect(() => torch.ones(2, 3).add(torch.ones(3, 2))).toThrow(
      'add: the size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1 (shapes [2, 3] and [3, 2])',
    );
    expect(() => torch.ones(4).lt(torch.ones(3))).toThrow(/^lt: .*\(shapes \[4\] and \[3\]\)/);
    expect(() => torch.where(torch.ones([2], { dtype: 'bool' }), torch.ones(3), 0)).toThrow(
      /^where: .*\(shapes \[2\] and \[3\]\)/,
    );
    expect(() => torch.clamp(torch.ones(4), torch.ones(3), null)).toThrow(
      /^clamp: .*\(shapes \[4\] and \[3\]\)/,
    );
  });
  it('empty tensors broadcast to empty results', () => {
    const r = torch.ones(0, 3).mul(torch.ones(3));
    expect(r.shape).toEqual([0, 3]);
    expect(torch.ones(2, 0).exp().shape).toEqual([2, 0]);
    expect(torch.zeros(0).pow(torch.zeros(1)).shape).toEqual([0]);
  });
});
