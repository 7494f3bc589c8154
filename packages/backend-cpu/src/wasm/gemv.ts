import type { Operand } from '../kernels/gemm.js';
import { getRuntime, mirror, scratch, scratchBase } from './runtime.js';

/**
 * float32 products with few rows of A (batch-1 layers) on the SIMD matrix-vector kernels of
 * ./gemv-kernel.ts. B is read in its stored layout, either with contiguous columns (`x · Wᵀ`
 * for a row-major weight W: dot products with W's rows) or contiguous rows (`g · W`: a sum of
 * scaled rows); from its mirror when the storage is mirrored (./runtime.ts), else copied into
 * scratch in one block. Each row of A is copied (K floats) and each row of C copied out.
 */

/** Floats read past the end of B by the last 16-column panel of `gemv_axpy_f32`. */
const SLACK = 16;

/** Index span of a K×N operand's elements, from its offset. */
function span(b: Operand, K: number, N: number): number {
  return (K - 1) * b.rs + (N - 1) * b.cs + 1;
}

/**
 * C[M×N] (dense row-major float32 from `co`) = A·B for B with unit row or column stride.
 * Returns false (leaving C untouched) when the kernels are unavailable or B does not fit them.
 * @example gemvWasm(1, N, K, x, { data: W, offset: 0, rs: 1, cs: K }, y, 0) // y = x·Wᵀ for W stored N×K
 */
export function gemvWasm(
  M: number,
  N: number,
  K: number,
  a: Operand,
  b: Operand,
  C: Float32Array,
  co: number,
): boolean {
  const dot = b.rs === 1;
  if (!(b.data instanceof Float32Array) || (!dot && b.cs !== 1) || K < 4) return false;
  const bSpan = span(b, K, N);
  // A sliced B whose elements are spread thinly would copy mostly gaps.
  if (bSpan > 2 * N * K + 64) return false;
  const rt = getRuntime();
  if (!rt) return false;
  const mirrored = b.storage ? mirror(rt, b.storage) : -1;
  const base = scratchBase();
  const copied = mirrored < 0;
  const bAt = copied ? base : mirrored + b.offset;
  const xAt = copied ? base + Math.ceil(bSpan / 16) * 16 + SLACK : base;
  const yAt = xAt + Math.ceil(K / 4) * 4;
  const yLen = dot ? 4 * N : Math.ceil(N / 16) * 16;
  const f = scratch(rt, yAt - base + yLen + SLACK);
  if (copied) f.set(b.data.subarray(b.offset, b.offset + bSpan), bAt);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < M; i++) {
    const ai = a.offset + i * a.rs;
    const acs = a.cs;
    if (acs === 1 && A instanceof Float32Array) f.set(A.subarray(ai, ai + K), xAt);
    else for (let k = 0; k < K; k++) f[xAt + k] = A[ai + k * acs]!;
    const ci = co + i * N;
    if (dot) {
      const blocks = N >> 2;
      const k4 = K >> 2;
      if (blocks > 0) rt.gemvDot(bAt * 4, xAt * 4, yAt * 4, blocks, k4, b.cs * 4);
      for (let j = 0; j < 4 * blocks; j++) {
        const p = yAt + 4 * j;
        C[ci + j] = f[p]! + f[p + 1]! + f[p + 2]! + f[p + 3]!;
      }
      // Rows of W past the last block of four, and steps of k past the last multiple of four.
      for (let j = 4 * blocks; j < N; j++) {
        let s = 0;
        const w = b.offset + j * b.cs;
        for (let k = 0; k < K; k++) s += f[xAt + k]! * B[w + k]!;
        C[ci + j] = s;
      }
      for (let k = 4 * k4; k < K; k++) {
        const x = f[xAt + k]!;
        for (let j = 0; j < 4 * blocks; j++)
          C[ci + j] = C[ci + j]! + x * B[b.offset + j * b.cs + k]!;
      }
    } else {
      rt.gemvAxpy(xAt * 4, bAt * 4, yAt * 4, K, Math.ceil(N / 16), b.rs * 4);
      C.set(f.subarray(yAt, yAt + N), ci);
    }
  }
  return true;
}

/** Floats of C per band of rows in `outerWasm`: a band stays in the L1 cache while copied out. */
const OUTER_BAND = 4096;

/**
 * C[M×N] (dense row-major float32 from `co`) = a ⊗ b, the product of an M×1 and a 1×N operand,
 * a band of rows at a time. Returns false when the kernels are unavailable.
 * @example outerWasm(M, N, { data: a, offset: 0, rs: 1, cs: 1 }, { data: b, offset: 0, rs: 1, cs: 1 }, C, 0)
 */
export function outerWasm(
  M: number,
  N: number,
  a: Operand,
  b: Operand,
  C: Float32Array,
  co: number,
): boolean {
  const rt = getRuntime();
  if (!rt) return false;
  const n16 = Math.ceil(N / 16);
  const band = Math.max(1, Math.min(M, Math.floor(OUTER_BAND / N)));
  const bAt = scratchBase();
  const aAt = bAt + 16 * n16;
  const cAt = aAt + Math.ceil(M / 4) * 4;
  // The last row of a band writes up to 15 floats past the band.
  const f = scratch(rt, cAt - bAt + band * N + SLACK);
  const A = a.data;
  const B = b.data;
  for (let j = 0; j < N; j++) f[bAt + j] = B[b.offset + j * b.cs]!;
  for (let i = 0; i < M; i++) f[aAt + i] = A[a.offset + i * a.rs]!;
  for (let i0 = 0; i0 < M; i0 += band) {
    const rows = Math.min(band, M - i0);
    rt.outer((aAt + i0) * 4, bAt * 4, cAt * 4, rows, n16, N * 4);
    C.set(f.subarray(cAt, cAt + rows * N), co + i0 * N);
  }
  return true;
}
