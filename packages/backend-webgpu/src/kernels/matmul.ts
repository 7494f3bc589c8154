import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { gemmShader, gemmThreads, gemmWords } from './gemm.js';
import { wgslType } from './layout.js';

/**
 * Matrix products `mm` and `bmm` (core composes `matmul`, `mv`, `dot` and `outer` from them), on
 * gemm.ts's tiled, register-blocked GEMM.
 *
 * Operands are read in place through their strides (a transposed view, a slice, a batch
 * broadcast with stride 0), staged in whichever order walks their unit stride across adjacent
 * threads. Shapes and strides are parameters, so one pipeline per dtype serves every size:
 *
 *   [M, N, K, tilesN, tilesPerMatrix, groups, outOffset,
 *    aOffset, aBatchStride, aRowStride, aColStride, aKFast,
 *    bOffset, bBatchStride, bRowStride, bColStride, bNFast]
 *
 * int32 products are exact (i32 arithmetic, wrapping on overflow as the CPU's int32 result does).
 */

/** The WGSL of the product for element type `type`: gemm.ts's template over strided operands. */
function shaderFor(type: 'f32' | 'i32'): string {
  return gemmShader({
    type,
    header: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
fn stride(w: u32) -> i32 { return bitcast<i32>(p[w]); }
fn loadA(g: u32, m: u32, k: u32) -> T {
  return a[u32(i32(p[7]) + i32(g) * stride(8u) + i32(m) * stride(9u) + i32(k) * stride(10u))];
}
fn loadB(g: u32, k: u32, n: u32) -> T {
  return b[u32(i32(p[12]) + i32(g) * stride(13u) + i32(k) * stride(14u) + i32(n) * stride(15u))];
}
fn store(g: u32, m: u32, n: u32, v: T) { out[p[6] + g * p[0] * p[1] + m * p[1] + n] = v; }`,
    aKFast: 'p[11] != 0u',
    bNFast: 'p[16] != 0u',
  });
}

const SHADERS = { f32: shaderFor('f32'), i32: shaderFor('i32') };

/** Whether a 2-D operand is staged along its second dim: its stride there is the smaller one. */
function secondDimFast(rowStride: number, colStride: number): boolean {
  return Math.abs(colStride) <= Math.abs(rowStride);
}

function product(backend: WebGPUBackend, a: Tensor, b: Tensor, out: Tensor): void {
  if (out.numel() === 0) return;
  const nd = a.shape.length;
  const batch = nd === 3 ? a.shape[0]! : 1;
  const M = a.shape[nd - 2]!;
  const K = a.shape[nd - 1]!;
  const N = b.shape[nd - 1]!;
  const [aRow, aCol] = [a.strides[nd - 2]!, a.strides[nd - 1]!];
  const [bRow, bCol] = [b.strides[nd - 2]!, b.strides[nd - 1]!];
  const words = [
    ...gemmWords(M, N, K, batch),
    out.offset,
    a.offset,
    nd === 3 ? a.strides[0]! : 0,
    aRow,
    aCol,
    secondDimFast(aRow, aCol) ? 1 : 0,
    b.offset,
    nd === 3 ? b.strides[0]! : 0,
    bRow,
    bCol,
    secondDimFast(bRow, bCol) ? 1 : 0,
  ].map((w) => w >>> 0);
  const buffers = [
    { buffer: a.storage.data as GPUBuffer },
    { buffer: b.storage.data as GPUBuffer },
    { buffer: out.storage.data as GPUBuffer },
  ];
  const code = SHADERS[wgslType(out.dtype) === 'f32' ? 'f32' : 'i32'];
  backend.ctx.dispatch(code, words, buffers, gemmThreads(M, N, batch));
}

/**
 * Registers `mm` and `bmm` on a WebGPU backend (float32 and int32).
 * @example registerMatmulKernels(backend)
 */
export function registerMatmulKernels(backend: WebGPUBackend): void {
  const kernel: Kernel = ([a, b], [out]) => product(backend, a!, b!, out!);
  registerKernel('mm', backend.name, kernel);
  registerKernel('bmm', backend.name, kernel);
}
