import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Tensor = torch.Tensor;
type Layout = 'contiguous' | 'transposed' | 'sliced' | 'expanded';

/** Deterministic values in [-1, 1) (or small integers for int32) for reproducible cases. */
function values(n: number, seed: number, int: boolean): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    out.push(int ? Math.floor(r * 11) - 5 : r * 2 - 1);
  }
  return out;
}

/**
 * A rows×cols matrix with the given values stored in `layout`: transposed (stored as its
 * transpose, read through `.t()`), sliced (every other column of a wider matrix, offset by one
 * row) or expanded (one row broadcast with stride 0).
 */
function matrix(
  rows: number,
  cols: number,
  layout: Layout,
  dtype: torch.DType,
  seed: number,
): { t: Tensor; rows: number[][] } {
  const int = dtype === 'int32';
  const v = values(rows * cols, seed, int);
  let ref = Array.from({ length: rows }, (_, r) => v.slice(r * cols, (r + 1) * cols));
  let t: Tensor;
  if (layout === 'contiguous') {
    t = torch.tensor(v, { dtype }).reshape([rows, cols]);
  } else if (layout === 'transposed') {
    const stored = Array.from({ length: cols }, (_, c) => ref.map((row) => row[c]!));
    t = torch.tensor(stored.flat(), { dtype }).reshape([cols, rows]).t();
  } else if (layout === 'sliced') {
    const wide: number[] = [];
    for (let c = 0; c < 2 * cols; c++) wide.push(99);
    const big = [...wide];
    for (const row of ref) for (let c = 0; c < 2 * cols; c++) big.push(c % 2 ? 99 : row[c / 2]!);
    const all = torch.tensor(big, { dtype }).reshape([rows + 1, 2 * cols]);
    t = torch.slice(torch.slice(all, 0, 1, rows + 1), 1, 0, 2 * cols, 2);
  } else {
    const row = values(cols, seed, int);
    ref = Array.from({ length: rows }, () => row.slice());
    t = torch.tensor(row, { dtype }).reshape([1, cols]).expand([rows, cols]);
  }
  return { t, rows: ref };
}

/** Textbook triple loop in float64. */
function naive(a: number[][], b: number[][], k: number, n = b[0]?.length ?? 0): number[][] {
  return a.map((row) => {
    const out = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += row[p]! * b[p]![j]!;
      out[j] = s;
    }
    return out;
  });
}

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
            const a = matrix(m, k, la, dtype, 1 + m * 31 + k);
            const b = matrix(k, n, lb, dtype, 7 + n * 17 + k);
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
    const a = matrix(6, 5, 'sliced', 'float32', 3);
    const b = matrix(5, 4, 'transposed', 'float32', 4);
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
          const a = matrix(m, k, la, dtype, seed);
          const b = matrix(k, n, lb, dtype, seed + 1);
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
    const aRows = Array.from({ length: B }, (_, p) => matrix(m, k, 'contiguous', 'float32', p + 1));
    const bRows = Array.from({ length: B }, (_, p) => matrix(k, n, 'contiguous', 'float32', p + 9));
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
    const a = matrix(4, 9, 'contiguous', 'float64', 5);
    const b = matrix(9, 3, 'transposed', 'float64', 6);
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
    const x = matrix(3, 5, 'contiguous', 'float64', 11);
    const w = matrix(4, 5, 'contiguous', 'float64', 12);
    const wt = w.t.clone().requiresGrad_();
    const xt = x.t.clone().requiresGrad_();
    const g = matrix(3, 4, 'contiguous', 'float64', 13);
    torch.mm(xt, wt.t()).backward(g.t);
    // d/dw (x · wᵀ) = gᵀ · x, d/dx = g · w
    const gT = g.rows[0]!.map((_, j) => g.rows.map((r) => r[j]!));
    expectClose(wt.grad!, naive(gT, x.rows, 3), 'float64', 3);
    expectClose(xt.grad!, naive(g.rows, w.rows, 4), 'float64', 4);
    expect(wt.grad!.isContiguous()).toBe(true);
  });

  it('a transposed first operand gets its gradient through the same rule', () => {
    const a = matrix(5, 3, 'contiguous', 'float64', 21); // stored [K, M], used as aᵀ
    const b = matrix(5, 2, 'contiguous', 'float64', 22);
    const at = a.t.clone().requiresGrad_();
    const bt = b.t.clone().requiresGrad_();
    const g = matrix(3, 2, 'contiguous', 'float64', 23);
    torch.mm(at.t(), bt).backward(g.t);
    // out = aᵀ·b: d/da = b · gᵀ, d/db = a · g
    const gT = g.rows[0]!.map((_, j) => g.rows.map((r) => r[j]!));
    expectClose(at.grad!, naive(b.rows, gT, 2), 'float64', 2);
    expectClose(bt.grad!, naive(a.rows, g.rows, 3), 'float64', 3);
    expect(at.grad!.isContiguous()).toBe(true);
  });
});
