import type { Storage, TypedArray } from '@autodag/core';
import { type GemmBatch, gemmBatchWasm, gemmWasm } from '../wasm/gemm.js';
import { gemvWasm, outerWasm } from '../wasm/gemv.js';

/**
 * Strided GEMM: C[M×N] (dense row-major at `co`) = A[M×K] · B[K×N], where A and B are read
 * through (row, column) strides. float32 products of some size run on the WebAssembly SIMD kernel
 * (../wasm/gemm.ts); the rest, float64 and int32 use two pure-JS loop orders:
 * - "dot" (the fast one): each C[i,j] is a dot product of a contiguous row of A and a contiguous
 *   column of B, 4×2 at a time in eight accumulators. A transposed weight `W.t()` already has
 *   contiguous columns; other operands are packed first (O(M·K) or O(K·N), small next to the
 *   O(M·N·K) product).
 * - "axpy" for few rows of A and a row-major B: rows of C accumulate `a[i,k] · B[k,:]`, reading
 *   B in place, since packing B would cost as much as the product itself.
 */

/** Columns of C processed per panel in the axpy order, so the panel of B stays in cache. */
const PANEL = 512;

/** Below this many rows of A, a row-major B is read in place rather than packed. */
const SMALL_M = 8;

/**
 * float32 products at least this big, with M and N at least 4, go to the WebAssembly kernel
 * (packing costs O(M·K + K·N), small next to the product unless M or N is tiny; outer products
 * with K = 1 gain the most, as their cost is writing C).
 */
const WASM_MIN_WORK = 4096;

/**
 * float32 products with fewer rows than a register tile (batch-1 layers) and at least this many
 * elements of B run on the WebAssembly matrix-vector kernels, which read B unpacked; outer
 * products (K = 1) with at least this many elements of C on the outer-product kernel.
 */
const GEMV_MIN_SIZE = 1024;

/**
 * A 2-D operand: element (r, c) is `data[offset + r * rs + c * cs]`.
 * @example const aT: Operand = { data: a, offset: 0, rs: 1, cs: M } // Aᵀ of a dense M×K matrix A
 */
export interface Operand {
  /** The flat array holding the elements. */
  readonly data: TypedArray;
  /** Index of element (0, 0) in `data`. */
  readonly offset: number;
  /** Row stride: elements between (r, c) and (r + 1, c). */
  readonly rs: number;
  /** Column stride: elements between (r, c) and (r, c + 1). */
  readonly cs: number;
  /** The storage behind `data`, when it is a tensor's: lets read-only operands be mirrored. */
  readonly storage?: Storage;
}

function newLike(src: TypedArray, n: number): TypedArray {
  return new (src.constructor as new (n: number) => TypedArray)(n);
}

/**
 * A dense row-major copy of a rows×cols operand.
 * @example packRowMajor({ data: new Float32Array([1, 2, 3, 4]), offset: 0, rs: 1, cs: 2 }, 2, 2).data // [1, 3, 2, 4]
 */
export function packRowMajor(x: Operand, rows: number, cols: number): Operand {
  const out = newLike(x.data, rows * cols);
  const { data, offset, rs, cs } = x;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    let p = offset + r * rs;
    for (let c = 0; c < cols; c++, p += cs) out[o++] = data[p]!;
  }
  return { data: out, offset: 0, rs: cols, cs: 1 };
}

/**
 * A dense column-major copy of a rows×cols operand (each column contiguous).
 * @example packColMajor({ data: new Float32Array([1, 2, 3, 4]), offset: 0, rs: 2, cs: 1 }, 2, 2).data // [1, 3, 2, 4]
 */
export function packColMajor(x: Operand, rows: number, cols: number): Operand {
  const t = packRowMajor({ data: x.data, offset: x.offset, rs: x.cs, cs: x.rs }, cols, rows);
  return { data: t.data, offset: 0, rs: 1, cs: rows };
}

/** C = A·B with B contiguous along its rows (`B.cs === 1`); A any strides. */
function gemmAxpy(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  brs: number,
  C: TypedArray,
  co: number,
): void {
  if (K === 1) {
    // Outer product: every element of C is written once.
    for (let i = 0; i < M; i++) {
      const x = A[ao + i * ars]!;
      const c = co + i * N;
      for (let j = 0; j < N; j++) C[c + j] = x * B[bo + j]!;
    }
    return;
  }
  C.fill(0, co, co + M * N);
  for (let j0 = 0; j0 < N; j0 += PANEL) {
    const j1 = Math.min(N, j0 + PANEL);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const c0 = co + i * N;
      const c1 = c0 + N;
      const c2 = c1 + N;
      const c3 = c2 + N;
      let a0 = ao + i * ars;
      for (let k = 0; k < K; k++, a0 += acs) {
        const x0 = A[a0]!;
        const x1 = A[a0 + ars]!;
        const x2 = A[a0 + 2 * ars]!;
        const x3 = A[a0 + 3 * ars]!;
        const b = bo + k * brs;
        for (let j = j0; j < j1; j++) {
          const y = B[b + j]!;
          C[c0 + j] += x0 * y;
          C[c1 + j] += x1 * y;
          C[c2 + j] += x2 * y;
          C[c3 + j] += x3 * y;
        }
      }
    }
    // Leftover rows: four rows of B per pass, so each element of C is loaded and stored once
    // per four multiply-adds.
    for (; i < M; i++) {
      const c = co + i * N;
      let a = ao + i * ars;
      let k = 0;
      for (; k + 4 <= K; k += 4, a += 4 * acs) {
        const x0 = A[a]!;
        const x1 = A[a + acs]!;
        const x2 = A[a + 2 * acs]!;
        const x3 = A[a + 3 * acs]!;
        const b0 = bo + k * brs;
        const b1 = b0 + brs;
        const b2 = b1 + brs;
        const b3 = b2 + brs;
        for (let j = j0; j < j1; j++) {
          C[c + j] += x0 * B[b0 + j]! + x1 * B[b1 + j]! + x2 * B[b2 + j]! + x3 * B[b3 + j]!;
        }
      }
      for (; k < K; k++, a += acs) {
        const x = A[a]!;
        const b = bo + k * brs;
        for (let j = j0; j < j1; j++) C[c + j] += x * B[b + j]!;
      }
    }
  }
}

/**
 * C = A·B with A rows contiguous (`A.cs === 1`) and B columns contiguous (`B.rs === 1`):
 * 4×2 tiles of C, each a set of dot products over K kept in eight accumulators.
 */
function gemmDot(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  B: TypedArray,
  bo: number,
  bcs: number,
  C: TypedArray,
  co: number,
): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = ao + i * ars;
    const a1 = a0 + ars;
    const a2 = a1 + ars;
    const a3 = a2 + ars;
    const c0 = co + i * N;
    let j = 0;
    for (; j + 2 <= N; j += 2) {
      const b0 = bo + j * bcs;
      const b1 = b0 + bcs;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = B[b0 + k]!;
        const y1 = B[b1 + k]!;
        let x = A[a0 + k]!;
        s00 += x * y0;
        s01 += x * y1;
        x = A[a1 + k]!;
        s10 += x * y0;
        s11 += x * y1;
        x = A[a2 + k]!;
        s20 += x * y0;
        s21 += x * y1;
        x = A[a3 + k]!;
        s30 += x * y0;
        s31 += x * y1;
      }
      const c = c0 + j;
      C[c] = s00;
      C[c + 1] = s01;
      C[c + N] = s10;
      C[c + N + 1] = s11;
      C[c + 2 * N] = s20;
      C[c + 2 * N + 1] = s21;
      C[c + 3 * N] = s30;
      C[c + 3 * N + 1] = s31;
    }
    if (j < N) {
      const b0 = bo + j * bcs;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const y = B[b0 + k]!;
        s0 += A[a0 + k]! * y;
        s1 += A[a1 + k]! * y;
        s2 += A[a2 + k]! * y;
        s3 += A[a3 + k]! * y;
      }
      const c = c0 + j;
      C[c] = s0;
      C[c + N] = s1;
      C[c + 2 * N] = s2;
      C[c + 3 * N] = s3;
    }
  }
  for (; i < M; i++) {
    const a0 = ao + i * ars;
    const c0 = co + i * N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = bo + j * bcs;
      const b1 = b0 + bcs;
      const b2 = b1 + bcs;
      const b3 = b2 + bcs;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[a0 + k]!;
        s0 += x * B[b0 + k]!;
        s1 += x * B[b1 + k]!;
        s2 += x * B[b2 + k]!;
        s3 += x * B[b3 + k]!;
      }
      C[c0 + j] = s0;
      C[c0 + j + 1] = s1;
      C[c0 + j + 2] = s2;
      C[c0 + j + 3] = s3;
    }
    for (; j < N; j++) {
      const b0 = bo + j * bcs;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a0 + k]! * B[b0 + k]!;
      C[c0 + j] = s;
    }
  }
}

/**
 * C[M×N] = A·B for strided operands, C dense row-major from `co`. Picks the loop order that
 * reads the larger operand B in place (see the file comment).
 * @example gemmStrided(M, N, K, { data: A, offset: 0, rs: K, cs: 1 }, { data: B, offset: 0, rs: 1, cs: K }, C, 0) // C = A·Bᵀ for B stored N×K
 */
export function gemmStrided(
  M: number,
  N: number,
  K: number,
  a: Operand,
  b: Operand,
  C: TypedArray,
  co: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    C.fill(0, co, co + M * N);
    return;
  }
  if (C instanceof Float32Array && K === 1 && M * N >= GEMV_MIN_SIZE) {
    if (outerWasm(M, N, a, b, C, co)) return;
  }
  if (
    C instanceof Float32Array &&
    M < 4 &&
    N * K >= GEMV_MIN_SIZE &&
    gemvWasm(M, N, K, a, b, C, co)
  ) {
    return;
  }
  if (
    C instanceof Float32Array &&
    M >= 4 &&
    N >= 4 &&
    M * N * K >= WASM_MIN_WORK &&
    gemmWasm(M, N, K, a, b, C, co)
  ) {
    return;
  }
  const bCols = b.rs === 1 || K === 1;
  const bRows = b.cs === 1 || N === 1;
  // With few rows of A the product costs about as much as packing B, so B is read in place;
  // a tiny K (outer products) leaves nothing for dot products to accumulate.
  if (bRows && ((!bCols && M < SMALL_M) || K < 4)) {
    gemmAxpy(M, N, K, a.data, a.offset, a.rs, a.cs, b.data, b.offset, b.rs, C, co);
    return;
  }
  const pb = bCols ? b : packColMajor(b, K, N);
  const pa = a.cs === 1 || K === 1 ? a : packRowMajor(a, M, K);
  gemmDot(M, N, K, pa.data, pa.offset, pa.rs, pb.data, pb.offset, pb.cs, C, co);
}

export type { DenseWriter, GemmBatch } from '../wasm/gemm.js';

/**
 * Runs a batch of products C_i = A_i · B_i (see {@link GemmBatch}): the batched form of
 * {@link gemmStrided} for loops that reuse one operand (a convolution's weight against each
 * image) or sum the products (its weight gradient). float32 batches run on the WebAssembly
 * kernel, which packs a shared operand once and keeps a sum in its memory; others run product
 * by product.
 * @example gemmBatched({ count: 2, M, N, K, a: W, b: (i) => ({ data: X, offset: i * K * N, rs: N, cs: 1 }), c: Y, at: (i) => i * M * N })
 */
export function gemmBatched(p: GemmBatch): void {
  const { count, M, N, K, c } = p;
  if (M === 0 || N === 0) return;
  if (
    c instanceof Float32Array &&
    count > 0 &&
    K > 0 &&
    M >= 4 &&
    N >= 4 &&
    M * N * K >= WASM_MIN_WORK &&
    gemmBatchWasm(p)
  ) {
    return;
  }
  const at = p.at ?? (() => 0);
  const opA = typeof p.a === 'function' ? p.a : () => p.a as Operand;
  const b = p.b;
  let opB: (i: number) => Operand;
  if (typeof b === 'function') opB = b;
  else if ('write' in b) {
    const dense = newLike(c, K * N);
    opB = (i) => {
      b.write(i, dense, 0);
      return { data: dense, offset: 0, rs: N, cs: 1 };
    };
  } else opB = () => b;
  const direct = !p.sum && !p.use;
  const work = p.use ? (p.work ?? 0) : 0;
  const part = direct ? c : newLike(c, M * N + (p.sum ? 0 : work));
  const total = p.sum ? newLike(c, M * N + work) : part;
  for (let i = 0; i < count; i++) {
    gemmStrided(M, N, K, opA(i), opB(i), part, direct ? at(i) : 0);
    if (p.sum) {
      for (let j = 0; j < M * N; j++) total[j] += part[j]!;
    } else if (p.use) {
      p.use(i, part, 0, N, M * N);
    }
  }
  if (!p.sum) return;
  if (p.use) p.use(Math.max(count - 1, 0), total, 0, N, M * N);
  else c.set(total, at(0));
}
