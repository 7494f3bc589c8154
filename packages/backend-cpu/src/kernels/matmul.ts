import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { gemmStrided } from './gemm.js';

/**
 * Matrix products. Operands arrive with any strides (a transposed view is just swapped strides)
 * and are read in place by the strided GEMM, so Aᵀ·B and A·Bᵀ run at the speed of A·B.
 */

/**
 * C[M×N] = A[M×K] · B[K×N] on dense row-major arrays (A from `ao`, B from `bo`, C from `co`).
 * @example
 * const out = new Float32Array(4);
 * gemm(2, 2, 2, new Float32Array([1, 2, 3, 4]), 0, new Float32Array([0, 1, 1, 0]), 0, out, 0); // out = [2, 1, 4, 3]
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
  gemmStrided(
    M,
    N,
    K,
    { data: A, offset: ao, rs: K, cs: 1 },
    { data: B, offset: bo, rs: N, cs: 1 },
    C,
    co,
  );
}

function batchedProduct(a: Tensor, b: Tensor, out: Tensor, batch: number): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!;
  const K = a.shape[nd - 1]!;
  const N = b.shape[nd - 1]!;
  const C = out.storage.data as TypedArray;
  const A = a.storage.data as TypedArray;
  const B = b.storage.data as TypedArray;
  const ars = a.strides[nd - 2]!;
  const acs = a.strides[nd - 1]!;
  const brs = b.strides[nd - 2]!;
  const bcs = b.strides[nd - 1]!;
  for (let p = 0; p < batch; p++) {
    const aOff = a.offset + (nd === 3 ? p * a.strides[0]! : 0);
    const bOff = b.offset + (nd === 3 ? p * b.strides[0]! : 0);
    gemmStrided(
      M,
      N,
      K,
      { data: A, offset: aOff, rs: ars, cs: acs },
      { data: B, offset: bOff, rs: brs, cs: bcs, storage: b.storage },
      C,
      p * M * N,
    );
  }
}

const mmKernel: Kernel = ([a, b], [out]) => batchedProduct(a!, b!, out!, 1);
const bmmKernel: Kernel = ([a, b], [out]) => batchedProduct(a!, b!, out!, a!.shape[0]!);

/**
 * Registers the matrix kernels (`mm`, `bmm`) on `backend`.
 * @example registerMatmulKernels('cpu-poison')
 */
export function registerMatmulKernels(backend: string): void {
  registerKernel('mm', backend, mmKernel);
  registerKernel('bmm', backend, bmmKernel);
}
