import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { WORKGROUP } from '../context.js';
import { wgslType } from './layout.js';

/**
 * Matrix products `mm` and `bmm` (core composes `matmul`, `mv`, `dot` and `outer` from them).
 *
 * Tiling: each workgroup computes one TILE_M×TILE_N (64×64) tile of one output matrix. It walks
 * K in steps of TILE_K (16): its threads copy the 64×16 slice of A and the 16×64 slice of B into
 * workgroup memory (zeros past the matrix edges, so sizes need not be multiples of the tile),
 * wait at a barrier, and then each thread updates its own 8×4 block of the output tile, held in
 * registers: 8 adjacent rows by 4 adjacent columns (one vector per row). With 128 threads that
 * is 16 threads across N and 8 down M. The staged tiles are k-major with 4 elements to a vector,
 * so each step of k reads 2 vectors of A (the block's 8 rows) and 1 of B (its 4 columns) from
 * workgroup memory for 32 multiply-adds.
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

const TILE_M = 64;
const TILE_N = 64;
const TILE_K = 16;
/** Threads across N (each computes 4 adjacent columns, one vector) and down M. */
const THREADS_N = TILE_N / 4;
const THREADS_M = WORKGROUP / THREADS_N;
/** Rows of the output each thread computes (a multiple of 4: read as vectors of A). */
const ROWS = TILE_M / THREADS_M;
/** Elements of each staged tile that each thread copies. */
const LOADS_A = (TILE_M * TILE_K) / WORKGROUP;
const LOADS_B = (TILE_K * TILE_N) / WORKGROUP;

if (ROWS % 4 !== 0 || !Number.isInteger(LOADS_A) || !Number.isInteger(LOADS_B)) {
  throw new Error('webgpu matmul: the tile does not fit the workgroup size');
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The WGSL of the product for element type `T` ('f32' or 'i32'). */
function shaderFor(type: 'f32' | 'i32'): string {
  const vecsA = ROWS / 4;
  // One step of k, unrolled: the thread's vectors of A, then one multiply-add per row.
  const step = [
    `let bv = Bs[k * ${TILE_N / 4}u + tx];`,
    ...range(vecsA).map((v) => `let a${v} = As[k * ${TILE_M / 4}u + ty * ${vecsA}u + ${v}u];`),
    ...range(ROWS).map((r) => `acc[${r}] += a${r >> 2}.${'xyzw'[r & 3]} * bv;`),
  ].join('\n      ');
  return `alias T = ${type};
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

// The staged tiles, k-major, 4 elements to a vector: As[k * ${TILE_M / 4} + m / 4][m % 4] = A[m0 + m, k0 + k]
// and Bs[k * ${TILE_N / 4} + n / 4][n % 4] = B[k0 + k, n0 + n].
var<workgroup> As: array<vec4<T>, ${(TILE_M * TILE_K) / 4}>;
var<workgroup> Bs: array<vec4<T>, ${(TILE_K * TILE_N) / 4}>;

fn stride(w: u32) -> i32 { return bitcast<i32>(p[w]); }

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p[5]) { return; }
  let M = p[0];
  let N = p[1];
  let K = p[2];
  let batch = g / p[4];
  let tile = g % p[4];
  let m0 = (tile / p[3]) * ${TILE_M}u;
  let n0 = (tile % p[3]) * ${TILE_N}u;
  let aBase = i32(p[7]) + i32(batch) * stride(8u);
  let bBase = i32(p[12]) + i32(batch) * stride(13u);
  let aKFast = p[11] != 0u;
  let bNFast = p[16] != 0u;
  let tx = t % ${THREADS_N}u;
  let ty = t / ${THREADS_N}u;
  var acc: array<vec4<T>, ${ROWS}>;

  for (var k0 = 0u; k0 < K; k0 += ${TILE_K}u) {
    for (var j = 0u; j < ${LOADS_A}u; j++) {
      let e = t + j * ${WORKGROUP}u;
      var m = e % ${TILE_M}u;
      var k = e / ${TILE_M}u;
      if (aKFast) {
        m = e / ${TILE_K}u;
        k = e % ${TILE_K}u;
      }
      var v = T(0);
      if (m0 + m < M && k0 + k < K) {
        v = a[u32(aBase + i32(m0 + m) * stride(9u) + i32(k0 + k) * stride(10u))];
      }
      As[k * ${TILE_M / 4}u + m / 4u][m % 4u] = v;
    }
    for (var j = 0u; j < ${LOADS_B}u; j++) {
      let e = t + j * ${WORKGROUP}u;
      var n = e / ${TILE_K}u;
      var k = e % ${TILE_K}u;
      if (bNFast) {
        n = e % ${TILE_N}u;
        k = e / ${TILE_N}u;
      }
      var v = T(0);
      if (n0 + n < N && k0 + k < K) {
        v = b[u32(bBase + i32(k0 + k) * stride(14u) + i32(n0 + n) * stride(15u))];
      }
      Bs[k * ${TILE_N / 4}u + n / 4u][n % 4u] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < ${TILE_K}u; k++) {
      ${step}
    }
    workgroupBarrier();
  }

  let n = n0 + tx * 4u;
  let base = p[6] + batch * M * N;
  for (var r = 0u; r < ${ROWS}u; r++) {
    let m = m0 + ty * ${ROWS}u + r;
    if (m >= M) { break; }
    for (var c = 0u; c < 4u && n + c < N; c++) {
      out[base + m * N + n + c] = acc[r][c];
    }
  }
}`;
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
  const tilesN = Math.ceil(N / TILE_N);
  const tilesPerMatrix = Math.ceil(M / TILE_M) * tilesN;
  const groups = batch * tilesPerMatrix;
  const words = [
    M,
    N,
    K,
    tilesN,
    tilesPerMatrix,
    groups,
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
  // One workgroup per output tile: the context's 1-D grid gives groups = threads / WORKGROUP.
  backend.ctx.dispatch(code, words, buffers, groups * WORKGROUP);
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
