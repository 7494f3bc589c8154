import type { TypedArray } from '@autodag/core';
import type { Operand } from '../kernels/gemm.js';
import { TILE_COLS, TILE_ROWS } from './gemm-kernel.js';
import { getRuntime, type Runtime, scratch, scratchBase } from './runtime.js';

/**
 * float32 GEMM on the WebAssembly SIMD micro-kernel. Operands are packed from their strided
 * layouts straight into the kernel's memory (packing is needed for the register tiles anyway, so
 * reading transposed or sliced operands costs nothing extra), the kernel runs over blocks of
 * `KC` steps of k, and the rows of C are copied out. Where WebAssembly SIMD is unavailable
 * `wasmGemmAvailable()` is false and callers use the JS kernels.
 *
 * Batches of products (`gemmBatchWasm`, for convolutions) pack a shared operand once, read a
 * row-major B in place (the kernel takes B's k-step and panel strides), let the caller write B
 * or read C straight in the kernel's memory, and run sums of A·Bᵀ products with both operands
 * stored along k on the unpacked kernel of ./gemm-nt-kernel.ts.
 */

/** Steps of k per kernel call: keeps a block of packed B in the L2 cache. */
const KC = 256;

/** Floats of C per band in `gemmOneBlock`: a band stays in the L1 cache while copied out. */
const BAND_FLOATS = 4096;

/**
 * True when the WebAssembly SIMD kernel can run here.
 * @example if (!wasmGemmAvailable()) console.warn('float32 matmul uses the JS kernels')
 */
export function wasmGemmAvailable(): boolean {
  return getRuntime() !== null;
}

/**
 * Packs columns k0..k0+kc of an n×K operand into blocks of `tile` rows, k-major (the block's
 * `tile` values for one step of k are adjacent), zero-padding the last block: the kernel's layout
 * for A (tile TILE_ROWS) and, read as Bᵀ, for B (tile TILE_COLS).
 */
function packTiles(
  f: Float32Array,
  at: number,
  x: Operand,
  k0: number,
  kc: number,
  n: number,
  tile: number,
): void {
  const { data, offset, rs, cs } = x;
  const blocks = Math.ceil(n / tile);
  for (let q = 0; q < blocks; q++) {
    const i0 = q * tile;
    const height = Math.min(tile, n - i0);
    const base = at + q * kc * tile;
    if (height < tile) f.fill(0, base, base + kc * tile);
    if (height === 8) packFull8(f, base, data, offset + i0 * rs + k0 * cs, rs, cs, kc);
    else if (height === 4 && tile === 4) {
      packFull4(f, base, data, offset + i0 * rs + k0 * cs, rs, cs, kc);
    } else if (rs === 1) {
      // The block's rows are adjacent in memory (a row-major B): copy a run per step of k.
      for (let k = 0; k < kc; k++) {
        const src = offset + (k0 + k) * cs + i0;
        const dst = base + k * tile;
        for (let r = 0; r < height; r++) f[dst + r] = data[src + r]!;
      }
    } else {
      for (let r = 0; r < height; r++) {
        let src = offset + (i0 + r) * rs + k0 * cs;
        let dst = base + r;
        for (let k = 0; k < kc; k++, src += cs, dst += tile) f[dst] = data[src]!;
      }
    }
  }
}

/**
 * A full block of 8 rows from `s` (row stride rs, k stride cs), unrolled: a JS loop over 8
 * elements costs more in loop overhead than in copying.
 */
function packFull8(
  f: Float32Array,
  d: number,
  x: TypedArray,
  s: number,
  rs: number,
  cs: number,
  kc: number,
): void {
  for (let k = 0; k < kc; k++, s += cs, d += 8) {
    f[d] = x[s]!;
    f[d + 1] = x[s + rs]!;
    f[d + 2] = x[s + 2 * rs]!;
    f[d + 3] = x[s + 3 * rs]!;
    f[d + 4] = x[s + 4 * rs]!;
    f[d + 5] = x[s + 5 * rs]!;
    f[d + 6] = x[s + 6 * rs]!;
    f[d + 7] = x[s + 7 * rs]!;
  }
}

/** {@link packFull8} for blocks of 4 rows. */
function packFull4(
  f: Float32Array,
  d: number,
  x: TypedArray,
  s: number,
  rs: number,
  cs: number,
  kc: number,
): void {
  for (let k = 0; k < kc; k++, s += cs, d += 4) {
    f[d] = x[s]!;
    f[d + 1] = x[s + rs]!;
    f[d + 2] = x[s + 2 * rs]!;
    f[d + 3] = x[s + 3 * rs]!;
  }
}

/** Packs rows k0..k0+kc of B (K×N) into panels of TILE_COLS columns, k-major, zero-padded. */
function packB(f: Float32Array, at: number, b: Operand, k0: number, kc: number, N: number): void {
  const bT = { data: b.data, offset: b.offset, rs: b.cs, cs: b.rs };
  packTiles(f, at, bT, k0, kc, N, TILE_COLS);
}

/** Packs columns k0..k0+kc of A (M×K) into blocks of TILE_ROWS rows, k-major, zero-padded. */
function packA(f: Float32Array, at: number, a: Operand, k0: number, kc: number, M: number): void {
  packTiles(f, at, a, k0, kc, M, TILE_ROWS);
}

/** Copies rows×N of a result with row pitch Np at `at` into C from `co`. */
function copyOut(
  f: Float32Array,
  at: number,
  Np: number,
  rows: number,
  N: number,
  C: Float32Array,
  co: number,
): void {
  if (Np === N) {
    C.set(f.subarray(at, at + rows * N), co);
  } else {
    for (let i = 0; i < rows; i++) C.set(f.subarray(at + i * Np, at + i * Np + N), co + i * N);
  }
}

/**
 * A product with K ≤ KC (one block of k, e.g. an outer product): B is packed once and C is
 * computed a band of rows at a time into a small scratch tile that stays in cache while it is
 * copied out (writing all of C into scratch and copying it after would stream it through memory
 * twice).
 */
function gemmOneBlock(
  rt: Runtime,
  M: number,
  N: number,
  K: number,
  a: Operand,
  b: Operand,
  C: Float32Array,
  co: number,
): void {
  const Np = Math.ceil(N / TILE_COLS) * TILE_COLS;
  const band = Math.max(
    TILE_ROWS,
    Math.min(
      Math.ceil(M / TILE_ROWS) * TILE_ROWS,
      Math.floor(BAND_FLOATS / Np / TILE_ROWS) * TILE_ROWS,
    ),
  );
  const bAt = scratchBase();
  const aAt = bAt + K * Np;
  const cAt = aAt + band * K;
  const f = scratch(rt, cAt - bAt + band * Np);
  packB(f, bAt, b, 0, K, N);
  for (let i0 = 0; i0 < M; i0 += band) {
    const rows = Math.min(band, M - i0);
    packA(f, aAt, { data: a.data, offset: a.offset + i0 * a.rs, rs: a.rs, cs: a.cs }, 0, K, rows);
    rt.gemm(
      aAt * 4,
      bAt * 4,
      cAt * 4,
      Math.ceil(rows / TILE_ROWS),
      Np / TILE_COLS,
      K,
      Np * 4,
      0,
      4 * TILE_COLS,
      4 * TILE_COLS * K,
    );
    copyOut(f, cAt, Np, rows, N, C, co + i0 * N);
  }
}

/**
 * C[M×N] (dense row-major float32 from `co`) = A·B on the SIMD kernel; M, N, K ≥ 1.
 * Returns false (leaving C untouched) when the kernel is unavailable.
 * @example if (!gemmWasm(M, N, K, a, b, C, 0)) gemmStrided(M, N, K, a, b, C, 0)
 */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  a: Operand,
  b: Operand,
  C: Float32Array,
  co: number,
): boolean {
  const rt = getRuntime();
  if (!rt) return false;
  if (K <= KC) {
    gemmOneBlock(rt, M, N, K, a, b, C, co);
    return true;
  }
  const Mp = Math.ceil(M / TILE_ROWS) * TILE_ROWS;
  const Np = Math.ceil(N / TILE_COLS) * TILE_COLS;
  const kc = KC;
  const aAt = scratchBase();
  const bAt = aAt + Mp * kc;
  const cAt = bAt + kc * Np;
  const f = scratch(rt, cAt - aAt + Mp * Np);
  for (let k0 = 0; k0 < K; k0 += kc) {
    const steps = Math.min(kc, K - k0);
    packA(f, aAt, a, k0, steps, M);
    packB(f, bAt, b, k0, steps, N);
    rt.gemm(
      aAt * 4,
      bAt * 4,
      cAt * 4,
      Mp / TILE_ROWS,
      Np / TILE_COLS,
      steps,
      Np * 4,
      k0 > 0 ? 1 : 0,
      4 * TILE_COLS,
      4 * TILE_COLS * steps,
    );
  }
  copyOut(f, cAt, Np, M, N, C, co);
  return true;
}

/**
 * A batch of `count` float32 products C_i[M×N] = A_i[M×K] · B_i[K×N] (see `gemmBatched` in
 * ../kernels/gemm.ts). An operand given as an `Operand` is shared by every product and packed
 * once; one given as a function is asked for product i's operand just before it runs (so the
 * caller may build it then, e.g. a column matrix in a reused buffer). The callbacks must not
 * run GEMMs themselves.
 * @example const batch: GemmBatch = { count: N, M, N: P, K, a: weight, b: (i) => colOf(i), c: y, at: (i) => i * M * P }
 */
export interface GemmBatch {
  /** Number of products. */
  readonly count: number;
  /** Rows of each C_i (and A_i). */
  readonly M: number;
  /** Columns of each C_i (and B_i). */
  readonly N: number;
  /** Columns of A_i, rows of B_i. */
  readonly K: number;
  /** A_i: one shared operand, or product i's. */
  readonly a: Operand | ((i: number) => Operand);
  /** B_i: one shared operand, product i's, or product i's written by the caller in place. */
  readonly b: Operand | ((i: number) => Operand) | DenseWriter;
  /**
   * Where the results go: each C_i dense row-major from `at(i)`, or their sum from `at(0)` when
   * `sum` is set. With `use`, a work array of at least M·N elements (its type is the dtype).
   */
  readonly c: TypedArray;
  /** Index in `c` of C_i (or of the sum); 0 when left out. */
  readonly at?: (i: number) => number;
  /** Accumulate Σᵢ C_i into one M×N result instead of writing each. */
  readonly sum?: boolean;
  /**
   * Instead of `c`: called with each C_i (or the sum, once, with i = count - 1) as rows of N
   * values at `data[offset + r * pitch]`, valid only during the call, and `work` floats of
   * scratch at `data[workAt]` (uninitialised; float32 work there can use `addSum3`'s SIMD path).
   */
  readonly use?: (
    i: number,
    data: TypedArray,
    offset: number,
    pitch: number,
    workAt: number,
  ) => void;
  /** Floats of scratch handed to `use` next to the results; 0 when left out. */
  readonly work?: number;
}

/**
 * An operand the caller writes itself, as a dense row-major matrix into `data` from `offset`,
 * just before product i runs (the kernel then reads it where it was written, unpacked).
 * @example const b: DenseWriter = { write: (i, data, at) => data.set(images[i], at) }
 */
export interface DenseWriter {
  /** Writes product i's operand (K×N, row-major, rows N apart) at `data[offset]`. */
  readonly write: (i: number, data: TypedArray, offset: number) => void;
}

/** Bᵀ as an operand (B's packed panels are Bᵀ's row blocks). */
function transposed(b: Operand): Operand {
  return { data: b.data, offset: b.offset, rs: b.cs, cs: b.rs };
}

/** Packs all K steps of an operand in KC-step blocks, each in the kernel's tile layout. */
function packAll(
  f: Float32Array,
  at: number,
  x: Operand,
  K: number,
  n: number,
  tile: number,
  padded: number,
) {
  for (let k0 = 0; k0 < K; k0 += KC)
    packTiles(f, at + k0 * padded, x, k0, Math.min(KC, K - k0), n, tile);
}

/**
 * Runs a {@link GemmBatch} on the SIMD kernel (M, N, K, count ≥ 1). Shared operands are packed
 * once; a sum accumulates in the kernel's memory and is copied out once. Returns false when the
 * kernel is unavailable.
 * @example if (!gemmBatchWasm(batch)) for (let i = 0; i < batch.count; i++) gemmStrided(...)
 */
export function gemmBatchWasm(p: GemmBatch): boolean {
  const rt = getRuntime();
  if (!rt) return false;
  const { count, M, N, K } = p;
  let aOf = typeof p.a === 'function' ? p.a : null;
  const b = p.b;
  let bOf = typeof b === 'function' ? b : null;
  if (p.sum && aOf && bOf && K % 4 === 0) {
    // Sums of A·Bᵀ-shaped products (both stored along k) run unpacked; the first product's
    // operands, fetched to decide, are reused.
    const a0 = aOf(0);
    const b0 = bOf(0);
    if (a0.cs === 1 && b0.rs === 1) {
      sumAlongK(rt, p, a0, b0);
      return true;
    }
    const [fa, fb] = [aOf, bOf];
    aOf = (i) => (i === 0 ? a0 : fa(i));
    bOf = (i) => (i === 0 ? b0 : fb(i));
  }
  const Mp = Math.ceil(M / TILE_ROWS) * TILE_ROWS;
  const Np = Math.ceil(N / TILE_COLS) * TILE_COLS;
  const aAt = scratchBase();
  const bAt = aAt + Mp * K;
  // Room for B packed, or row-major plus the zeros the last panel reads past its end.
  const cAt = bAt + K * Np + TILE_COLS;
  const workAt = cAt + Mp * Np + TILE_COLS;
  const f = scratch(rt, workAt - aAt + (p.work ?? 0));
  const writer = 'write' in b ? b : null;
  // A row-major B (a contiguous float32 block) is copied in one piece and read in place.
  const rowMajor = (x: Operand) => x.cs === 1 && x.rs === N && x.data instanceof Float32Array;
  let inPlace = writer !== null;
  const putB = (x: Operand) => {
    inPlace = rowMajor(x);
    if (inPlace) f.set(x.data.subarray(x.offset, x.offset + K * N), bAt);
    else packAll(f, bAt, transposed(x), K, N, TILE_COLS, Np);
  };
  f.fill(0, bAt + K * N, bAt + K * N + TILE_COLS);
  if (!aOf) packAll(f, aAt, p.a as Operand, K, M, TILE_ROWS, Mp);
  if (!bOf && !writer) putB(b as Operand);
  for (let i = 0; i < count; i++) {
    if (aOf) packAll(f, aAt, aOf(i), K, M, TILE_ROWS, Mp);
    if (bOf) putB(bOf(i));
    else if (writer) writer.write(i, f, bAt);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const steps = Math.min(KC, K - k0);
      const acc = k0 > 0 || (p.sum === true && i > 0) ? 1 : 0;
      const pa = (aAt + k0 * Mp) * 4;
      const pb = (bAt + k0 * (inPlace ? N : Np)) * 4;
      const ldb = inPlace ? N * 4 : 4 * TILE_COLS;
      const panel = inPlace ? 4 * TILE_COLS : 4 * TILE_COLS * steps;
      const blocks = Mp / TILE_ROWS;
      rt.gemm(pa, pb, cAt * 4, blocks, Np / TILE_COLS, steps, Np * 4, acc, ldb, panel);
    }
    if (p.sum && i < count - 1) continue;
    if (p.use) p.use(i, f, cAt, Np, workAt);
    else copyOut(f, cAt, Np, M, N, p.c as Float32Array, p.at ? p.at(i) : 0);
  }
  return true;
}

/** Copies a rows×K operand into `f` from `at` as dense rows (one block when it is contiguous). */
function putRows(f: Float32Array, at: number, x: Operand, rows: number, K: number): void {
  const { data, offset, rs, cs } = x;
  if (cs === 1 && rs === K) {
    f.set(data.subarray(offset, offset + rows * K), at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let k = 0, s = offset + r * rs; k < K; k++, s += cs) f[at + r * K + k] = data[s]!;
  }
}

/**
 * Σᵢ A_i·B_i on `gemm_nt_f32` for K a multiple of 4: A_i and B_iᵀ are copied in as rows along
 * k (a block copy each when contiguous, no packing), the kernel accumulates four partial sums
 * per element of C, and those are added once at the end.
 */
function sumAlongK(rt: Runtime, p: GemmBatch, a0: Operand, b0: Operand): void {
  const { count, M, N, K } = p;
  const aOf = p.a as (i: number) => Operand;
  const bOf = p.b as (i: number) => Operand;
  const M2 = Math.ceil(M / 2) * 2;
  const N4 = Math.ceil(N / 4) * 4;
  const aAt = scratchBase();
  const bAt = aAt + M2 * K;
  const cAt = bAt + N4 * K;
  const rAt = cAt + M2 * N4 * 4;
  const workAt = rAt + M * N + TILE_COLS;
  const f = scratch(rt, workAt - aAt + (p.work ?? 0));
  // Rows past M and N are computed and dropped; zeros keep them cheap (no denormals).
  f.fill(0, aAt + M * K, aAt + M2 * K);
  f.fill(0, bAt + N * K, bAt + N4 * K);
  for (let i = 0; i < count; i++) {
    const a = i === 0 ? a0 : aOf(i);
    const bi = i === 0 ? b0 : bOf(i);
    putRows(f, aAt, a, M, K);
    putRows(f, bAt, transposed(bi), N, K);
    rt.gemmNt(
      aAt * 4,
      bAt * 4,
      cAt * 4,
      M2 / 2,
      N4 / 4,
      K / 4,
      K * 4,
      K * 4,
      N4 * 16,
      i > 0 ? 1 : 0,
    );
  }
  for (let i = 0; i < M; i++) {
    for (let j = 0, s = cAt + i * N4 * 4, d = rAt + i * N; j < N; j++, s += 4, d++) {
      f[d] = f[s]! + f[s + 1]! + (f[s + 2]! + f[s + 3]!);
    }
  }
  if (p.use) p.use(count - 1, f, rAt, N, workAt);
  else p.c.set(f.subarray(rAt, rAt + M * N), p.at ? p.at(0) : 0);
}
