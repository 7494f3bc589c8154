import { addSum3, gemmBatched, type Operand } from '@autodag/backend-cpu';
import { describe, expect, it } from 'vitest';

/** Deterministic values in [-1, 1). */
function filled<T extends Float32Array | Float64Array>(out: T, seed: number): T {
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

/** Element (r, c) of an operand. */
const at = (x: Operand, r: number, c: number) => x.data[x.offset + r * x.rs + c * x.cs]!;

function product(M: number, N: number, K: number, a: Operand, b: Operand): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += at(a, i, k) * at(b, k, j);
      out[i * N + j] = s;
    }
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, label: string) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i]! - want[i]!) > 1e-4 * (1 + Math.abs(want[i]!))) {
      throw new Error(`${label} element ${i}: got ${got[i]}, expected ${want[i]}`);
    }
  }
}

// (count, M, N, K): tails of the 4×8 register tiles (and of the 2×4 tiles of the A·Bᵀ kernel),
// K past one 256-step block, K a multiple of 4 or not, products too small for the WebAssembly
// kernels.
const SHAPES: [number, number, number, number][] = [
  [3, 64, 196, 289],
  [3, 13, 21, 600],
  [2, 8, 12, 4],
  [4, 9, 5, 7],
  [2, 2, 3, 4],
  [1, 32, 9, 784],
];

describe('gemmBatched', () => {
  for (const Arr of [Float32Array, Float64Array]) {
    for (const [count, M, N, K] of SHAPES) {
      const tag = `${Arr.name} ${count}×(${M}×${K})·(${K}×${N})`;
      // A shared and transposed (read through its strides); B per product, row-major.
      const aData = filled(new Arr(M * K), 1);
      const bData = filled(new Arr(count * K * N + 5), 2);
      const shared: Operand = { data: aData, offset: 0, rs: 1, cs: M };
      const bOf = (i: number): Operand => ({ data: bData, offset: 5 + i * K * N, rs: N, cs: 1 });

      it(`${tag}: each product, shared A`, () => {
        const c = new Arr(count * M * N + 3).fill(9);
        gemmBatched({ count, M, N, K, a: shared, b: bOf, c, at: (i) => 3 + i * M * N });
        expect(c[0]).toBe(9);
        for (let i = 0; i < count; i++) {
          const want = product(M, N, K, shared, bOf(i));
          expectClose(c.subarray(3 + i * M * N, 3 + (i + 1) * M * N), want, `${tag} product ${i}`);
        }
      });

      it(`${tag}: B written in place by the caller`, () => {
        const c = new Arr(count * M * N);
        const written: number[] = [];
        gemmBatched({
          count,
          M,
          N,
          K,
          a: shared,
          b: {
            write: (i, data, offset) => {
              written.push(i);
              data.set(bData.subarray(5 + i * K * N, 5 + (i + 1) * K * N), offset);
            },
          },
          c,
          at: (i) => i * M * N,
        });
        expect(written).toEqual([...Array(count).keys()]);
        for (let i = 0; i < count; i++) {
          const want = product(M, N, K, shared, bOf(i));
          expectClose(c.subarray(i * M * N, (i + 1) * M * N), want, `${tag} written ${i}`);
        }
      });

      it(`${tag}: sum of products with both operands per product, B stored transposed`, () => {
        // Both read along k (A rows, Bᵀ rows): with K a multiple of 4 this takes the unpacked
        // A·Bᵀ kernel; a strided A (every other element) is gathered rather than block-copied.
        const wide = filled(new Arr(count * M * K * 2), 3);
        const aOf = (i: number): Operand =>
          i % 2 === 0
            ? { data: wide, offset: i * M * K, rs: K, cs: 1 }
            : { data: wide, offset: i * M * K * 2, rs: 2 * K, cs: 2 };
        const bT = (i: number): Operand => ({ data: bData, offset: 5 + i * K * N, rs: 1, cs: K });
        const want = new Float64Array(M * N);
        for (let i = 0; i < count; i++) {
          const p = product(M, N, K, aOf(i), bT(i));
          for (let j = 0; j < want.length; j++) want[j] += p[j]!;
        }
        const c = new Arr(M * N + 2).fill(9);
        gemmBatched({ count, M, N, K, a: aOf, b: bT, c, at: () => 2, sum: true });
        expect([c[0], c[1]]).toEqual([9, 9]);
        expectClose(c.subarray(2), want, `${tag} sum along k`);
      });

      it(`${tag}: sum of products, shared B, results handed to a callback`, () => {
        const aOf = (i: number): Operand => ({ data: bData, offset: 5 + i * M * K, rs: K, cs: 1 });
        const b: Operand = { data: aData, offset: 0, rs: 1, cs: K };
        const want = new Float64Array(M * N);
        for (let i = 0; i < count; i++) {
          const p = product(M, N, K, aOf(i), b);
          for (let j = 0; j < want.length; j++) want[j] += p[j]!;
        }
        const c = new Arr(M * N).fill(9);
        gemmBatched({ count, M, N, K, a: aOf, b, c, sum: true });
        expectClose(c, want, `${tag} sum`);
        const seen: number[] = [];
        gemmBatched({
          count,
          M,
          N,
          K,
          a: aOf,
          b,
          c: new Arr(M * N),
          sum: true,
          use: (i, data, offset, pitch) => {
            seen.push(i);
            const rows = new Float64Array(M * N);
            for (let r = 0; r < M; r++) {
              for (let j = 0; j < N; j++) rows[r * N + j] = data[offset + r * pitch + j]!;
            }
            expectClose(rows, want, `${tag} sum via callback`);
          },
        });
        expect(seen).toEqual([count - 1]);
      });
    }
  }

  it('an empty sum is zero', () => {
    const c = new Float32Array(6).fill(9);
    const op: Operand = { data: new Float32Array(6), offset: 0, rs: 3, cs: 1 };
    gemmBatched({ count: 0, M: 2, N: 3, K: 3, a: op, b: op, c, sum: true });
    expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('hands work space to the callback, where addSum3 adds three runs (SIMD in kernel memory)', () => {
    const [M, N, K] = [16, 40, 8];
    const a: Operand = { data: filled(new Float32Array(M * K), 4), offset: 0, rs: K, cs: 1 };
    const b: Operand = { data: filled(new Float32Array(K * N), 5), offset: 0, rs: N, cs: 1 };
    const want = product(M, N, K, a, b);
    for (const Arr of [Float32Array, Float64Array]) {
      const conv = (x: Operand) => ({ ...x, data: Arr.from(x.data) });
      let calls = 0;
      gemmBatched({
        count: 1,
        M,
        N,
        K,
        a: conv(a),
        b: conv(b),
        c: new Arr(M * N),
        work: 2 * N + 3,
        use: (_i, data, offset, pitch, workAt) => {
          calls++;
          // The work space gets three runs of C starting at rows 1, 2, 3: 2N - 1 values (odd, unaligned).
          const n = 2 * N - 1;
          const img = data.subarray(workAt, workAt + n + 3);
          img.fill(0.5);
          addSum3(img, 1, data, offset + pitch, offset + 2 * pitch, offset + 3 * pitch, n);
          // N is a multiple of 8, so C's rows are N apart in kernel memory too.
          expect(pitch).toBe(N);
          for (let k = 0; k < n; k++) {
            const expected = 0.5 + want[N + k]! + want[2 * N + k]! + want[3 * N + k]!;
            expect(img[1 + k]).toBeCloseTo(expected, 4);
          }
          expect([img[0], img[n + 1], img[n + 2]]).toEqual([0.5, 0.5, 0.5]);
        },
      });
      expect(calls).toBe(1);
    }
  });
});
