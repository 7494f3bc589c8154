import { addSum3 } from '@autodag/backend-cpu';
import type { TypedArray } from '@autodag/core';
import type { ConvGeometry } from '../geometry.js';

/**
 * im2col / col2im on one image (all of a group's channels) for 2-D convolutions; 1-D ones run
 * through them with a height of 1. The column matrix has one row per (channel, kernel row,
 * kernel column) and one column per output position, row-major, which is the B operand of the
 * forward GEMM `W · col`.
 */

/** First output column q whose input column q·s - p + j·d is ≥ 0, and the end of those < W. */
function validColumns(g: ConvGeometry, j: number): [number, number] {
  const shift = g.pw - j * g.dw;
  const lo = Math.min(g.Wo, Math.max(0, Math.ceil(shift / g.sw)));
  const hi = Math.max(lo, Math.min(g.Wo, Math.ceil((g.W + shift) / g.sw)));
  return [lo, hi];
}

/**
 * Writes the column matrix of channels [0, channels) of the image at `xo` in `x` (channel-major,
 * H×W each) to `col` from `co`: row (c, i, j), column (p, q) holds
 * x[c, p·sh - ph + i·dh, q·sw - pw + j·dw], or 0 in the padding.
 * @example im2col(x, 0, 3, g, col) // col holds 3·kh·kw rows of Ho·Wo values
 */
export function im2col(
  x: TypedArray,
  xo: number,
  channels: number,
  g: ConvGeometry,
  col: TypedArray,
  co = 0,
): void {
  const { H, W, kh, kw, Ho, Wo, sh, sw, ph, pw, dh, dw } = g;
  if (isRowContiguous(g)) {
    im2colRows(x, xo, channels, g, col, co);
    return;
  }
  let dst = co;
  for (let c = 0; c < channels; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const [lo, hi] = validColumns(g, j);
        const colShift = j * dw - pw;
        for (let p = 0; p < Ho; p++, dst += Wo) {
          const ih = p * sh - ph + i * dh;
          if (ih < 0 || ih >= H) {
            col.fill(0, dst, dst + Wo);
            continue;
          }
          for (let q = 0; q < lo; q++) col[dst + q] = 0;
          const row = plane + ih * W + colShift;
          if (sw === 1) {
            for (let q = lo; q < hi; q++) col[dst + q] = x[row + q]!;
          } else {
            for (let q = lo; q < hi; q++) col[dst + q] = x[row + q * sw]!;
          }
          for (let q = hi; q < Wo; q++) col[dst + q] = 0;
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: adds every entry of `col` to the input element it was read
 * from (entries read from the padding are dropped, and may be overwritten in `col`). `x` is not
 * cleared first. The column matrix starts at `co` in `col`, its rows `pitch` apart (≥ Ho·Wo).
 * @example x.fill(0); col2im(col, 3, g, x, 0) // the input gradient of 3 channels
 */
export function col2im(
  col: TypedArray,
  channels: number,
  g: ConvGeometry,
  x: TypedArray,
  xo: number,
  co = 0,
  pitch = g.Ho * g.Wo,
): void {
  const { H, W, kh, kw, Ho, Wo, sh, sw, ph, dh, dw, pw } = g;
  if (isRowContiguous(g)) {
    col2imRows(col, channels, g, x, xo, co, pitch);
    return;
  }
  for (let c = 0; c < channels; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const [lo, hi] = validColumns(g, j);
        const colShift = j * dw - pw;
        let src = co + ((c * kh + i) * kw + j) * pitch;
        for (let p = 0; p < Ho; p++, src += Wo) {
          const ih = p * sh - ph + i * dh;
          if (ih < 0 || ih >= H) continue;
          const row = plane + ih * W + colShift;
          if (sw === 1) {
            for (let q = lo; q < hi; q++) x[row + q] += col[src + q]!;
          } else {
            for (let q = lo; q < hi; q++) x[row + q * sw] += col[src + q]!;
          }
        }
      }
    }
  }
}

/**
 * Unit strides and an output as wide as the input ('same'-style padding): then the rows of one
 * kernel tap's column-matrix row are consecutive rows of the input, shifted by a constant, so a
 * whole block of them moves as one contiguous run (only the columns read from the left/right
 * padding need fixing).
 */
function isRowContiguous(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.Wo === g.W;
}

/** Output rows p whose input row p - ph + i·dh lies inside the image. */
function validRows(g: ConvGeometry, i: number): [number, number] {
  const shift = g.ph - i * g.dh;
  const lo = Math.min(g.Ho, Math.max(0, shift));
  const hi = Math.max(lo, Math.min(g.Ho, g.H + shift));
  return [lo, hi];
}

/** {@link im2col} for row-contiguous geometries: one block copy per kernel tap. */
function im2colRows(
  x: TypedArray,
  xo: number,
  channels: number,
  g: ConvGeometry,
  col: TypedArray,
  co: number,
): void {
  const { H, W, kh, kw, Ho, ph, pw, dh, dw } = g;
  const P = Ho * W;
  let dst = co;
  for (let c = 0; c < channels; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kh; i++) {
      // Output rows [p0, p1) read input rows inside the image (validRows, inlined).
      const rowShift = ph - i * dh;
      const p0 = Math.min(Ho, Math.max(0, rowShift));
      const p1 = Math.max(p0, Math.min(Ho, H + rowShift));
      for (let j = 0; j < kw; j++, dst += P) {
        // Output columns [lo, hi) read input columns inside the image (validColumns, inlined).
        const colShift = pw - j * dw;
        const lo = Math.min(W, Math.max(0, colShift));
        const hi = Math.max(lo, Math.min(W, W + colShift));
        if (p0 > 0) col.fill(0, dst, dst + p0 * W);
        if (p1 < Ho) col.fill(0, dst + p1 * W, dst + P);
        if (p1 === p0) continue;
        // Copy the block of rows, clamped to the array (the clamped ends are padding columns).
        let s = plane + (p0 - rowShift) * W - colShift;
        let d = dst + p0 * W;
        let e = s + (p1 - p0) * W;
        if (s < 0) {
          d -= s;
          s = 0;
        }
        if (e > x.length) e = x.length;
        col.set(x.subarray(s, e), d);
        // Columns read from the padding wrapped into the neighbouring rows: zero them.
        const end = dst + p1 * W;
        for (let q = 0; q < lo; q++) for (let r = dst + p0 * W + q; r < end; r += W) col[r] = 0;
        for (let q = hi; q < W; q++) for (let r = dst + p0 * W + q; r < end; r += W) col[r] = 0;
      }
    }
  }
}

/** Adds col[s + k] to x[t + k] for t + k in [from, to) ∩ [0, x.length). */
function addRun(x: TypedArray, col: TypedArray, t: number, s: number, from: number, to: number) {
  const lo = Math.max(from, 0);
  const hi = Math.min(to, x.length);
  for (let k = lo, c = s + (lo - t); k < hi; k++, c++) x[k] += col[c]!;
}

/**
 * {@link col2im} for row-contiguous geometries: per kernel row, the taps' blocks are added in
 * one pass where they overlap (three reads per read-modify-write of x for 3-wide kernels).
 */
function col2imRows(
  col: TypedArray,
  channels: number,
  g: ConvGeometry,
  x: TypedArray,
  xo: number,
  co: number,
  P: number,
): void {
  const { H, W, kh, kw, ph, pw, dh, dw } = g;
  for (let c = 0; c < channels; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kh; i++) {
      const [p0, p1] = validRows(g, i);
      if (p1 === p0) continue;
      const rowSrc = co + (c * kh + i) * kw * P + p0 * W;
      const n = (p1 - p0) * W;
      // Entries read from the padding are dropped: zero them in the (scratch) column matrix so
      // the block adds below leave the neighbouring rows they wrap into unchanged.
      for (let j = 0; j < kw; j++) {
        const [lo, hi] = validColumns(g, j);
        if (lo === 0 && hi === W) continue;
        for (let r = rowSrc + j * P; r < rowSrc + j * P + n; r += W) {
          for (let q = 0; q < lo; q++) col[r + q] = 0;
          for (let q = hi; q < W; q++) col[r + q] = 0;
        }
      }
      const t0 = plane + (p0 - ph + i * dh) * W - pw;
      // Every tap covers [tLast, t0 + n); tap j covers [t0 + j·dw, t0 + j·dw + n).
      const tLast = t0 + (kw - 1) * dw;
      const fused = kw === 3 && tLast < t0 + n;
      for (let j = 0; j < kw; j++) {
        const t = t0 + j * dw;
        const s = rowSrc + j * P;
        if (fused) {
          addRun(x, col, t, s, t, tLast);
          addRun(x, col, t, s, t0 + n, t + n);
        } else {
          addRun(x, col, t, s, t, t + n);
        }
      }
      if (fused) {
        const lo = Math.max(tLast, 0);
        const hi = Math.min(t0 + n, x.length);
        const a = rowSrc + (lo - t0);
        addSum3(x, lo, col, a, a + P - dw, a + 2 * P - 2 * dw, hi - lo);
      }
    }
  }
}

const scratchSlots = new Map<string, TypedArray>();

/**
 * A reusable work array of at least `n` elements of the same type as `like`, one per `slot`
 * (kernels run one at a time, so a slot is free again once its kernel returns). Not cleared.
 * @example const col = scratch(x, 'col', rows * cols)
 */
export function scratch(like: TypedArray, slot: string, n: number): TypedArray {
  const key = `${slot}:${like.constructor.name}`;
  const have = scratchSlots.get(key);
  if (have && have.length >= n) return have;
  const made = new (like.constructor as new (n: number) => TypedArray)(Math.max(n, 1));
  scratchSlots.set(key, made);
  return made;
}
