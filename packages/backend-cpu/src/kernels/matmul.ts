import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { gatherLayout } from '../strided.js';

/**
 * Matrix products. Operands arrive with any strides (a transposed view is just swapped strides);
 * each is packed once into dense row-major order (O(n²), negligible next to the O(n³) product), so
 * Aᵀ·B and A·Bᵀ run at the speed of A·B.
 */

/** Dense row-major copy (or the storage itself) of a 2-D layout. */
function packed(
  src: TypedArray,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
  offset: number,
): { d: TypedArray; o: number } {
  if (cs === 1 && (rs === cols || rows === 1)) return { d: src, o: offset };
  const out = new (src.constructor as new (n: number) => TypedArray)(rows * cols);
  gatherLayout(src, { shape: [rows, cols], strides: [rs, cs], offset }, out);
  return { d: out, o: 0 };
}

/**
 * C[M×N] = A[M×K] · B[K×N] on dense row-major arrays, four rows of C at a time so each loaded
 * row of B feeds four accumulating rows.
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  B: TypedArray,
  bo: number,
  C: TypedArray,
  co: number,
): void {
  C.fill(0, co, co + M * N);
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const c0 = co + i * N;
    const c1 = c0 + N;
    const c2 = c1 + N;
    const c3 = c2 + N;
    const a0 = ao + i * K;
    for (let k = 0; k < K; k++) {
      const x0 = A[a0 + k]!;
      const x1 = A[a0 + K + k]!;
      const x2 = A[a0 + 2 * K + k]!;
      const x3 = A[a0 + 3 * K + k]!;
      const b = bo + k * N;
      for (let j = 0; j < N; j++) {
        const y = B[b + j]!;
        C[c0 + j] += x0 * y;
        C[c1 + j] += x1 * y;
        C[c2 + j] += x2 * y;
        C[c3 + j] += x3 * y;
      }
    }
  }
  for (; i < M; i++) {
    const c = co + i * N;
    for (let k = 0; k < K; k++) {
      const x = A[ao + i * K + k]!;
      const b = bo + k * N;
      for (let j = 0; j < N; j++) C[c + j] += x * B[b + j]!;
    }
  }
}

function batchedProduct(a: Tensor, b: Tensor, out: Tensor, batch: number): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!;
  const K = a.shape[nd - 1]!;
  const N = b.shape[nd - 1]!;
  const C = out.storage.data as TypedArray;
  for (let p = 0; p < batch; p++) {
    const aBatch = nd === 3 ? p * a.strides[0]! : 0;
    const bBatch = nd === 3 ? p * b.strides[0]! : 0;
    const A = packed(
      a.storage.data as TypedArray,
      M,
      K,
      a.strides[nd - 2]!,
      a.strides[nd - 1]!,
      a.offset + aBatch,
    );
    const B = packed(
      b.storage.data as TypedArray,
      K,
      N,
      b.strides[nd - 2]!,
      b.strides[nd - 1]!,
      b.offset + bBatch,
    );
    gemm(M, N, K, A.d, A.o, B.d, B.o, C, p * M * N);
  }
}

const mmKernel: Kernel = ([a, b], [out]) => batchedProduct(a!, b!, out!, 1);
const bmmKernel: Kernel = ([a, b], [out]) => batchedProduct(a!, b!, out!, a!.shape[0]!);

/** Registers the matrix kernels on `backend`. */
export function registerMatmulKernels(backend: string): void {
  registerKernel('mm', backend, mmKernel);
  registerKernel('bmm', backend, bmmKernel);
}
