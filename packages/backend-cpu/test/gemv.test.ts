import { cpuBackend } from '@autodag/backend-cpu';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { mirroredFloats, setMirrorCapacity } from '../src/wasm/runtime.js';
import { matrix, naive, transpose, values } from './matrices.js';

type Tensor = torch.Tensor;

function expectClose(got: Tensor, want: number[][], label = ''): void {
  const g = got.tolist() as number[][];
  expect(got.shape).toEqual([want.length, want[0]!.length]);
  const k = want.length;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < want[i]!.length; j++) {
      const e = want[i]![j]!;
      if (Math.abs(g[i]![j]! - e) > 1e-5 * (1 + Math.abs(e)) * 30) {
        throw new Error(`${label} element [${i}, ${j}]: got ${g[i]![j]}, expected ${e}`);
      }
    }
  }
}

// (M, K, N) with B large enough for the matrix-vector kernels: tails of k (K mod 4) and of the
// row blocks (N mod 4) and 16-column panels (N mod 16).
const SHAPES: [number, number, number][] = [
  [1, 784, 256],
  [1, 256, 256],
  [2, 130, 37],
  [3, 7, 999],
  [1, 4, 1100],
  [1, 1025, 5],
  [2, 64, 67],
  [1, 4097, 1],
  [1, 10, 256],
  [2, 300, 9],
];

describe('float32 matrix-vector products (WebAssembly kernels)', () => {
  for (const [m, k, n] of SHAPES) {
    it(`${m}x${k} · ${k}x${n}, every layout of B and A, repeated (mirrored B)`, () => {
      for (const lb of ['contiguous', 'transposed', 'expanded', 'expandedColumn'] as const) {
        for (const la of ['contiguous', 'transposed'] as const) {
          const a = matrix(m, k, la, 3 + k);
          const b = matrix(k, n, lb, 11 + n);
          const want = naive(a.rows, b.rows);
          // The first call copies B, the second marks it for mirroring, the third reads the mirror.
          for (let r = 0; r < 3; r++) expectClose(torch.mm(a.t, b.t), want, `${lb} ${la} ${r}`);
        }
      }
    });
  }

  it('a batch-1 linear layer and its gradients match a float64 reference', () => {
    const w = matrix(40, 300, 'contiguous', 5);
    const x = matrix(1, 300, 'contiguous', 6);
    const g = matrix(1, 40, 'contiguous', 7);
    const wt = w.t.requiresGrad_();
    for (let r = 0; r < 3; r++) {
      const y = torch.mm(x.t, wt.t());
      expectClose(y, naive(x.rows, transpose(w.rows)));
      const xg = x.t.detach().requiresGrad_();
      torch.mm(xg, wt.t()).backward(g.t);
      // d(x·Wᵀ)/dx = g·W (a matrix-vector product with row-major W).
      expectClose(xg.grad!, naive(g.rows, w.rows));
      wt.grad = null;
    }
  });
});

describe('mirrors of read-only operands', () => {
  function product(x: Tensor, w: Tensor): number[][] {
    return torch.mm(x, w.t()).tolist() as number[][];
  }

  it('are refreshed after in-place writes to the weight or a view of it', () => {
    const w = torch.tensor(values(64 * 128, 1)).reshape([64, 128]);
    const x = torch.tensor(values(128, 2)).reshape([1, 128]);
    const ref = () => naive(x.tolist() as number[][], transpose(w.tolist() as number[][]));
    const before = mirroredFloats();
    for (let r = 0; r < 3; r++) expectClose(torch.mm(x, w.t()), ref());
    // The weight is now read from its mirror.
    expect(mirroredFloats()).toBe(before + 64 * 128);
    w.add_(1);
    expectClose(torch.mm(x, w.t()), ref());
    expectClose(torch.mm(x, w.t()), ref());
    torch.select(w, 0, 5).fill_(3);
    expectClose(torch.mm(x, w.t()), ref());
    w.copy_(torch.ones(64, 128));
    expect(product(x, w)[0]![0]).toBeCloseTo(x.sum().item() as number, 4);
  });

  it('are never used for a new tensor that reuses a disposed tensor’s array', () => {
    const x = torch.tensor(values(128, 2)).reshape([1, 128]);
    const w = torch
      .tensor(values(64 * 128, 3))
      .reshape([64, 128])
      .mul(1);
    for (let r = 0; r < 3; r++) product(x, w);
    w.dispose();
    const w2 = torch
      .tensor(values(64 * 128, 4))
      .reshape([64, 128])
      .mul(1);
    const want = naive(x.tolist() as number[][], transpose(w2.tolist() as number[][]));
    for (let r = 0; r < 3; r++) expectClose(torch.mm(x, w2.t()), want);
    cpuBackend.emptyCache();
  });

  it('start afresh when they outgrow their capacity, and stay correct', () => {
    const old = setMirrorCapacity(3 * 8192);
    try {
      const x = torch.tensor(values(128, 2)).reshape([1, 128]);
      const ws = [0, 1, 2, 3, 4].map((s) =>
        torch.tensor(values(64 * 128, 10 + s)).reshape([64, 128]),
      );
      const wants = ws.map((w) =>
        naive(x.tolist() as number[][], transpose(w.tolist() as number[][])),
      );
      for (let round = 0; round < 4; round++) {
        ws.forEach((w, i) => {
          expectClose(torch.mm(x, w.t()), wants[i]!);
          expect(mirroredFloats()).toBeLessThanOrEqual(3 * 8192);
        });
      }
    } finally {
      setMirrorCapacity(old);
    }
  });
});

describe('float32 outer products and products with one block of k, by bands of rows', () => {
  // Outer products (weight gradients of batch-1 layers) and K ≤ 256 with partial bands and
  // partial 4×8 tiles.
  for (const [m, k, n] of [
    [256, 1, 784],
    [37, 1, 45],
    [100, 1, 45],
    [5000, 1, 1],
    [10, 1, 256],
    [3, 1, 2000],
    [70, 3, 601],
    [9, 256, 130],
  ] as const) {
    it(`${m}x${k} · ${k}x${n}`, () => {
      for (const la of ['contiguous', 'transposed', 'expanded'] as const) {
        for (const lb of ['contiguous', 'transposed', 'expanded'] as const) {
          const a = matrix(m, k, la, 21 + m);
          const b = matrix(k, n, lb, 22 + n);
          expectClose(torch.mm(a.t, b.t), naive(a.rows, b.rows), `${la} ${lb}`);
        }
      }
    });
  }
});
