import { WORKGROUP } from '../context.js';

/**
 * The tiled GEMM that matrix products and implicit-GEMM convolutions share: each workgroup
 * computes one GEMM_TILE.M × GEMM_TILE.N tile of one matrix of a batch. It walks K in steps of
 * GEMM_TILE.K: its threads stage the M×K slice of A and the K×N slice of B in workgroup memory
 * (zeros past the matrix edges, so sizes need not be multiples of the tile), wait at a barrier,
 * and each thread updates its own 8×4 block of the output tile, held in registers: 8 adjacent
 * rows by 4 adjacent columns (one vector per row). With 128 threads that is 16 threads across N
 * and 8 down M. The staged tiles are k-major with 4 elements to a vector, so each step of k reads
 * 2 vectors of A (the block's 8 rows) and 1 of B (its 4 columns) for 32 multiply-adds.
 *
 * What differs between users is how elements are read and written: they supply WGSL functions
 * `loadA(g, m, k)`, `loadB(g, k, n)` and `store(g, m, n, v)` (g the batch index; loads are only
 * called inside the matrix bounds). The first parameter words are the template's:
 *
 *   [M, N, K, tilesN, tilesPerMatrix, workgroups, ...the user's words]
 */

/** The output tile of one workgroup, and the step along K. */
export const GEMM_TILE = { M: 64, N: 64, K: 16 } as const;

/** Threads across N (each computes 4 adjacent columns, one vector) and down M. */
const THREADS_N = GEMM_TILE.N / 4;
const THREADS_M = WORKGROUP / THREADS_N;
/** Rows of the output each thread computes (a multiple of 4: read as vectors of A). */
const ROWS = GEMM_TILE.M / THREADS_M;
/** Elements of each staged tile that each thread copies. */
const LOADS_A = (GEMM_TILE.M * GEMM_TILE.K) / WORKGROUP;
const LOADS_B = (GEMM_TILE.K * GEMM_TILE.N) / WORKGROUP;

if (ROWS % 4 !== 0 || !Number.isInteger(LOADS_A) || !Number.isInteger(LOADS_B)) {
  throw new Error('webgpu gemm: the tile does not fit the workgroup size');
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** What a GEMM shader is made of besides the template. */
export interface GemmParts {
  /** Element type of the tiles and accumulators (`T` in the WGSL). */
  readonly type: 'f32' | 'i32';
  /**
   * WGSL before the entry point: the bindings (binding 0 is the parameter words `p:
   * array<u32>`), helpers, and `loadA(g: u32, m: u32, k: u32) -> T`,
   * `loadB(g: u32, k: u32, n: u32) -> T`, `store(g: u32, m: u32, n: u32, v: T)`.
   */
  readonly header: string;
  /**
   * WGSL booleans choosing which index adjacent threads walk when staging: `aKFast` true walks
   * A's k (its unit stride), else m; `bNFast` true walks B's n, else k. Reading along the unit
   * stride keeps the loads coalesced.
   */
  readonly aKFast: string;
  readonly bNFast: string;
}

/**
 * The WGSL of a tiled GEMM over `parts`; dispatch it with `gemmWords` (its first parameter
 * words) and one workgroup per output tile.
 * @example dispatchCompute(gemmShader(parts), [...gemmWords(M, N, K, batch), ...mine], bindings, gemmThreads(M, N, batch))
 */
export function gemmShader(parts: GemmParts): string {
  const vecsA = ROWS / 4;
  const { M: TM, N: TN, K: TK } = GEMM_TILE;
  // One step of k, unrolled: the thread's vectors of A, then one multiply-add per row.
  const step = [
    `let bv = Bs[k * ${TN / 4}u + tx];`,
    ...range(vecsA).map((v) => `let a${v} = As[k * ${TM / 4}u + ty * ${vecsA}u + ${v}u];`),
    ...range(ROWS).map((r) => `acc[${r}] += a${r >> 2}.${'xyzw'[r & 3]} * bv;`),
  ].join('\n      ');
  return `alias T = ${parts.type};
${parts.header}
// The staged tiles, k-major, 4 elements to a vector: As[k * ${TM / 4} + m / 4][m % 4] = A[m0 + m, k0 + k]
// and Bs[k * ${TN / 4} + n / 4][n % 4] = B[k0 + k, n0 + n].
var<workgroup> As: array<vec4<T>, ${(TM * TK) / 4}>;
var<workgroup> Bs: array<vec4<T>, ${(TK * TN) / 4}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let wg = wid.y * nwg.x + wid.x;
  if (wg >= p[5]) { return; }
  let M = p[0];
  let N = p[1];
  let K = p[2];
  let g = wg / p[4];
  let tile = wg % p[4];
  let m0 = (tile / p[3]) * ${TM}u;
  let n0 = (tile % p[3]) * ${TN}u;
  let aKFast = ${parts.aKFast};
  let bNFast = ${parts.bNFast};
  let tx = t % ${THREADS_N}u;
  let ty = t / ${THREADS_N}u;
  var acc: array<vec4<T>, ${ROWS}>;

  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    for (var j = 0u; j < ${LOADS_A}u; j++) {
      let e = t + j * ${WORKGROUP}u;
      var m = e % ${TM}u;
      var k = e / ${TM}u;
      if (aKFast) {
        m = e / ${TK}u;
        k = e % ${TK}u;
      }
      var v = T(0);
      if (m0 + m < M && k0 + k < K) { v = loadA(g, m0 + m, k0 + k); }
      As[k * ${TM / 4}u + m / 4u][m % 4u] = v;
    }
    for (var j = 0u; j < ${LOADS_B}u; j++) {
      let e = t + j * ${WORKGROUP}u;
      var n = e / ${TK}u;
      var k = e % ${TK}u;
      if (bNFast) {
        n = e % ${TN}u;
        k = e / ${TN}u;
      }
      var v = T(0);
      if (n0 + n < N && k0 + k < K) { v = loadB(g, k0 + k, n0 + n); }
      Bs[k * ${TN / 4}u + n / 4u][n % 4u] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < ${TK}u; k++) {
      ${step}
    }
    workgroupBarrier();
  }

  let n = n0 + tx * 4u;
  for (var r = 0u; r < ${ROWS}u; r++) {
    let m = m0 + ty * ${ROWS}u + r;
    if (m >= M) { break; }
    for (var c = 0u; c < 4u && n + c < N; c++) {
      store(g, m, n + c, acc[r][c]);
    }
  }
}`;
}

/**
 * The template's parameter words for `batch` products of M×K by K×N: the tiling and the number
 * of workgroups (see `gemmThreads`).
 * @example gemmWords(128, 256, 64, 2) // [128, 256, 64, 4, 8, 16]
 */
export function gemmWords(M: number, N: number, K: number, batch: number): number[] {
  const tilesN = Math.ceil(N / GEMM_TILE.N);
  const tilesPerMatrix = Math.ceil(M / GEMM_TILE.M) * tilesN;
  return [M, N, K, tilesN, tilesPerMatrix, batch * tilesPerMatrix];
}

/**
 * Threads to dispatch for `gemmWords(M, N, K, batch)`: one workgroup per output tile.
 * @example dispatchCompute(code, words, bindings, gemmThreads(M, N, batch))
 */
export function gemmThreads(M: number, N: number, batch: number): number {
  return batch * Math.ceil(M / GEMM_TILE.M) * Math.ceil(N / GEMM_TILE.N) * WORKGROUP;
}
