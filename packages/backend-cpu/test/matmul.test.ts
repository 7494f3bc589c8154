import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Layout, matrix, naive, transpose } from './matrices.js';

type Tensor = torch.Tensor;

function expectClose(actual: Tensor, expected: number[][], dtype: torch.DType, k: number): void {
  const got = actual.tolist() as number[][];
  expect(actual.shape).toEqual([expected.length, expected[0]?.length ?? actual.shape[1]]);
  const tol = dtype === 'float32' ? 1e-5 * (k + 1) : dtype === 'float64' ? 1e-12 * (k + 1) : 0;
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i]!.length; j++) {
      const e = expected[i]![j]!;
      const g = got[i]![j]!;
      if (Math.abs(g - e) > tol * (1 + Math.abs(e))) {
        throw new Error(`element [${i}, ${j}]: got ${g}, expected ${e} (tolerance ${tol})`);
      }
    }
  }
}

const LAYOUTS: Layout[] = ['contiguous', 'transposed', 'sliced', 'expanded'];

// (M, K, N): odd sizes, vectors, empty inner dimension, sizes around the JS kernels' 4×2 tiles
// and the WebAssembly kernel's 4×8 tiles, K beyond its 256-step blocks.
const SHAPES: [number, number, number][] = [
  [4, 256, 4],
  [13, 70, 19],
  [6, 600, 10],
  [1, 1, 1],
  [1, 7, 1],
  [1, 300, 9],
  [9, 300, 1],
  [5, 1, 7],
  [3, 0, 4],
  [0, 3, 4],
  [4, 3, 0],
  [7, 13, 5],
  [8, 8, 8],
  [17, 33, 65],
  [33, 5, 600],
];

describe('mm against a naive product', () => {
  for (const dtype of ['float32', 'float64', 'int32'] as const) {
    for (const [m, k, n] of SHAPES) {
      it(`${dtype} ${m}x${k} · ${k}x${n}, every layout pair`, () => {
        for (const la of LAYOUTS) {
          for (const lb of LAYOUTS) {
            const a = matrix(m, k, la, 1 + m * 31 + k, dtype);
            const b = matrix(k, n, lb, 7 + n * 17 + k, dtype);
            const out = torch.mm(a.t, b.t);
            expect(out.dtype).toBe(dtype);
            expect(out.isContiguous()).toBe(true);
            expectClose(out, naive(a.rows, b.rows, k, n), dtype, k);
          }
        }
      });
    }
  }

  it('leaves its operands untouched', () => {
    const a = matrix(6, 5, 'sliced', 3);
    const b = matrix(5, 4, 'transposed', 4);
    torch.mm(a.t, b.t);
    expectClose(a.t, a.rows, 'float32', 0);
    expectClose(b.t, b.rows, 'float32', 0);
  });

  it('matches for random shapes and layouts (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom(...LAYOUTS),
        fc.constantFrom(...LAYOUTS),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        (m, k, n, la, lb, seed, dtype) => {
          const a = matrix(m, k, la, seed, dtype);
          const b = matrix(k, n, lb, seed + 1, dtype);
          const out = torch.mm(a.t, b.t);
          expect(out.shape).toEqual([m, n]);
          if (m > 0 && n > 0) expectClose(out, naive(a.rows, b.rows, k, n), dtype, k);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('matmul and bmm', () => {
  it('bmm with transposed and sliced batches', () => {
    const [B, m, k, n] = [3, 5, 70, 6];
    const aRows = Array.from({ length: B }, (_, p) => matrix(m, k, 'contiguous', p + 1));
    const bRows = Array.from({ length: B }, (_, p) => matrix(k, n, 'contiguous', p + 9));
    const a = torch.tensor(aRows.flatMap((x) => x.rows.flat())).reshape([B, m, k]);
    // Store B transposed per batch, then view it back as [B, k, n].
    const bStored = bRows.flatMap((x) =>
      Array.from({ length: n }, (_, j) => x.rows.map((r) => r[j]!)).flat(),
    );
    const b = torch.tensor(bStored).reshape([B, n, k]).transpose(1, 2);
    const out = torch.bmm(a, b);
    expect(out.shape).toEqual([B, m, n]);
    for (let p = 0; p < B; p++) {
      expectClose(torch.select(out, 0, p), naive(aRows[p]!.rows, bRows[p]!.rows, k), 'float32', k);
    }
    // A transposed batch of A: [B, k, m] stored, read as [B, m, k].
    const aT = a.transpose(1, 2).contiguous().transpose(1, 2);
    const outT = torch.bmm(aT, b);
    for (let p = 0; p < B; p++) {
      expectClose(torch.select(outT, 0, p), naive(aRows[p]!.rows, bRows[p]!.rows, k), 'float32', k);
    }
  });

  it('matmul broadcasts batch dims and handles vectors', () => {
    const a = matrix(4, 9, 'contiguous', 5, 'float64');
    const b = matrix(9, 3, 'transposed', 6, 'float64');
    const want = naive(a.rows, b.rows, 9);
    const batched = torch.matmul(a.t.unsqueeze(0).expand([2, 4, 9]), b.t);
    expect(batched.shape).toEqual([2, 4, 3]);
    expectClose(torch.select(batched, 0, 1), want, 'float64', 9);
    const v = torch.tensor(
      b.rows.map((r) => r[0]!),
      { dtype: 'float64' },
    );
    const mv = torch.matmul(a.t, v);
    expect(mv.shape).toEqual([4]);
    expectClose(
      mv.unsqueeze(1),
      naive(
        a.rows,
        b.rows.map((r) => [r[0]!]),
        9,
      ),
      'float64',
      9,
    );
  });
});

describe('mm gradients keep the layout of their operand', () => {
  it('a weight used as w.t() gets a contiguous gradient equal to gᵀ·x', () => {
    const x = matrix(3, 5, 'contiguous', 11, 'float64');
    const w = matrix(4, 5, 'contiguous', 12, 'float64');
    const wt = w.t.clone().requiresGrad_();
    const xt = x.t.clone().requiresGrad_();
    const g = matrix(3, 4, 'contiguous', 13, 'float64');
    torch.mm(xt, wt.t()).backward(g.t);
    // d/dw (x · wᵀ) = gᵀ · x, d/dx = g · w
    const gT = transpose(g.rows);
    expectClose(wt.grad!, naive(gT, x.rows, 3), 'float64', 3);
    expectClose(xt.grad!, naive(g.rows, w.rows, 4), 'float64', 4);
    expect(wt.grad!.isContiguous()).toBe(true);
  });

  it('a transposed first operand gets its gradient through the same rule', () => {
    const a = matrix(5, 3, 'contiguous', 21, 'float64'); // stored [K, M], used as aᵀ
    const b = matrix(5, 2, 'contiguous', 22, 'float64');
    const at = a.t.clone().requiresGrad_();
    const bt = b.t.clone().requiresGrad_();
    const g = matrix(3, 2, 'contiguous', 23, 'float64');
    torch.mm(at.t(), bt).backward(g.t);
    // out = aᵀ·b: d/da = b · gᵀ, d/db = a · g
    const gT = transpose(g.rows);
    expectClose(at.grad!, naive(b.rows, gT, 2), 'float64', 2);
    expectClose(bt.grad!, naive(a.rows, g.rows, 3), 'float64', 3);
    expect(at.grad!.isContiguous()).toBe(true);
  });
});
