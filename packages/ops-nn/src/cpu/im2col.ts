import type { TypedArray } from '@autodag/core';

/**
 * im2col / col2im on one image (all of a group's channels) for 2-D convolutions; 1-D ones run
 * through them with a height of 1. The column matrix has one row per (channel, kernel row,
 * kernel column) and one column per output position, row-major, which is the B operand of the
 * forward GEMM `W · col`.
 */

/**
 * The geometry of a 2-D convolution (1-D ones use H = Ho = kh = 1, sh = dh = 1, ph = 0).
 * @example const g: ConvGeometry = { N: 1, C: 1, H: 5, W: 5, O: 2, kh: 3, kw: 3, Ho: 5, Wo: 5, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }
 */
export interface ConvGeometry {
  /** Batch size. */
  N: number;
  /** Channels of the convolution's input (the transposed convolution's output). */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Channels of the convolution's output. */
  O: number;
  /** Kernel height. */
  kh: number;
  /** Kernel width. */
  kw: number;
  /** Output height. */
  Ho: number;
  /** Output width. */
  Wo: number;
  /** Stride along the height. */
  sh: number;
  /** Stride along the width. */
  sw: number;
  /** Zero padding at the top (and bottom). */
  ph: number;
  /** Zero padding at the left (and right). */
  pw: number;
  /** Dilation along the height. */
  dh: number;
  /** Dilation along the width. */
  dw: number;
  /** Channel groups. */
  groups: number;
}

/** First output column q whose input column q·s - p + j·d is ≥ 0, and the end of those < W. */
function validColumns(g: ConvGeometry, j: number): [number, number] {
  const shift = g.pw - j * g.dw;
  const lo = Math.min(g.Wo, Math.max(0, Math.ceil(shift / g.sw)));
  const hi = Math.max(lo, Math.min(g.Wo, Math.ceil((g.W + shift) / g.sw)));
  return [lo, hi];
}

/**
 * Writes the column matrix of channels [0, channels) of the image at `xo` in `x` (channel-major,
 * H×W each) to `col` from 0: row (c, i, j), column (p, q) holds x[c, p·sh - ph + i·dh, q·sw - pw + j·dw],
 * or 0 in the padding.
 * @example im2col(x, 0, 3, g, col) // col holds 3·kh·kw rows of Ho·Wo values
 */
export function im2col(
  x: TypedArray,
  xo: number,
  channels: number,
  g: ConvGeometry,
  col: TypedArray,
): void {
  const { H, W, kh, kw, Ho, Wo, sh, sw, ph, pw, dh, dw } = g;
  let dst = 0;
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
 * from (entries read from the padding are dropped). `x` is not cleared first.
 * @example x.fill(0); col2im(col, 3, g, x, 0) // the input gradient of 3 channels
 */
export function col2im(
  col: TypedArray,
  channels: number,
  g: ConvGeometry,
  x: TypedArray,
  xo: number,
): void {
  const { H, W, kh, kw, Ho, Wo, sh, sw, ph, dh, dw, pw } = g;
  let src = 0;
  for (let c = 0; c < channels; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const [lo, hi] = validColumns(g, j);
        const colShift = j * dw - pw;
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
