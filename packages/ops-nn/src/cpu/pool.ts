import { denseData } from '@autodag/backend-cpu';
import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { numelOf, registerKernel } from '@autodag/core';
import { type PoolGeometry, type PoolKernelAttrs, poolGeometry } from '../geometry.js';

/**
 * CPU kernels of the pooling ops. Every (batch, channel) plane is pooled on its own; 1-D pooling
 * runs as 2-D pooling of height 1. Window rules follow PyTorch's CPU kernels exactly (max: first
 * maximum wins, NaN propagates; avg: PyTorch's divisor with and without padding counted).
 */

/**
 * Max pooling: writes the maxima and their flat in-plane indices (ih·W + iw).
 * @example maxPoolForward(x, out, idx, g)
 */
export function maxPoolForward(
  x: TypedArray,
  out: TypedArray,
  idx: Int32Array,
  g: PoolGeometry,
): void {
  const { planes, H, W, Ho, Wo, kh, kw, sh, sw, ph, pw, dh, dw } = g;
  if (kh === 2 && kw === 2 && dh === 1 && dw === 1 && ph === 0 && pw === 0) {
    if ((Ho - 1) * sh + 2 <= H && (Wo - 1) * sw + 2 <= W) {
      maxPool2x2(x, out, idx, g);
      return;
    }
  }
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let p = 0; p < Ho; p++) {
      let h0 = p * sh - ph;
      const h1 = Math.min(h0 + (kh - 1) * dh + 1, H);
      while (h0 < 0) h0 += dh;
      for (let q = 0; q < Wo; q++, o++) {
        let w0 = q * sw - pw;
        const w1 = Math.min(w0 + (kw - 1) * dw + 1, W);
        while (w0 < 0) w0 += dw;
        let best = Number.NEGATIVE_INFINITY;
        let at = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += dh) {
          const row = ih * W;
          for (let iw = w0; iw < w1; iw += dw) {
            const v = x[base + row + iw]!;
            // PyTorch's rule: a strictly larger value or a NaN takes the place.
            if (v > best || Number.isNaN(v)) {
              best = v;
              at = row + iw;
            }
          }
        }
        out[o] = best;
        idx[o] = at;
      }
    }
  }
}

/**
 * {@link maxPoolForward} for 2×2 windows inside the input (the common CNN case), branch-free: a
 * data-dependent branch mispredicts on about half the windows of random data (several times
 * slower). The window is reduced as a tournament of its two rows' pairs, each comparison giving 0
 * or 1 to step the winner's index; the value is read back at that index. This is PyTorch's
 * row-major scan (a strictly larger value or a NaN replaces the best) exactly: the first maximum
 * wins and the last NaN is taken, with its index.
 */
function maxPool2x2(x: TypedArray, out: TypedArray, idx: Int32Array, g: PoolGeometry): void {
  const { planes, H, W, Ho, Wo, sh, sw } = g;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let p = 0; p < Ho; p++) {
      const r0 = base + p * sh * W;
      const end = o + Wo;
      for (let i = r0; o < end; o++, i += sw) {
        const a = x[i]!;
        const b = x[i + 1]!;
        const c = x[i + W]!;
        const d = x[i + W + 1]!;
        const top = i + (+(b > a) | +Number.isNaN(b));
        const bottom = i + W + (+(d > c) | +Number.isNaN(d));
        const t = x[top]!;
        const u = x[bottom]!;
        const at = top + (+(u > t) | +Number.isNaN(u)) * (bottom - top);
        out[o] = x[at]!;
        idx[o] = at - base;
      }
    }
  }
}

/**
 * The max-pooling gradient: adds each output gradient to the input element its index names.
 * @example maxPoolBackward(gy, idx, gx, 16, 64) // planes of 16 outputs and 64 inputs
 */
export function maxPoolBackward(
  gy: TypedArray,
  idx: TypedArray,
  gx: TypedArray,
  outPlane: number,
  inPlane: number,
): void {
  gx.fill(0);
  const planes = outPlane === 0 ? 0 : gy.length / outPlane;
  for (let plane = 0; plane < planes; plane++) {
    const ib = plane * inPlane;
    const end = (plane + 1) * outPlane;
    let o = plane * outPlane;
    // Four per step (the loop test once per four; same order of additions).
    for (const m = end - 3; o < m; o += 4) {
      gx[ib + idx[o]!] += gy[o]!;
      gx[ib + idx[o + 1]!] += gy[o + 1]!;
      gx[ib + idx[o + 2]!] += gy[o + 2]!;
      gx[ib + idx[o + 3]!] += gy[o + 3]!;
    }
    for (; o < end; o++) gx[ib + idx[o]!] += gy[o]!;
  }
}

/**
 * Average-pooling options as the kernels read them.
 * @example const a: AvgOptions = { countIncludePad: true, divisorOverride: 0 }
 */
export interface AvgOptions {
  /** Whether padded positions count in the divisor. */
  countIncludePad: boolean;
  /** A fixed divisor; 0 for none. */
  divisorOverride: number;
}

/**
 * Average pooling, forward (`backward` false: dst = window means of src) or backward (spreading
 * each gradient in `src` over its window of `dst`, cleared first). The divisor is PyTorch's: the
 * window clipped to the padded input when `countIncludePad`, else its valid part, unless a
 * `divisorOverride` is given; an empty window gives 0.
 * @example avgPool(x, out, g, { countIncludePad: true, divisorOverride: 0 }, false)
 */
export function avgPool(
  src: TypedArray,
  dst: TypedArray,
  g: PoolGeometry,
  a: AvgOptions,
  backward: boolean,
): void {
  const { planes, H, W, Ho, Wo, kh, kw, sh, sw, ph, pw } = g;
  if (backward) dst.fill(0);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let p = 0; p < Ho; p++) {
      let h0 = p * sh - ph;
      let h1 = Math.min(h0 + kh, H + ph);
      const hPad = h1 - h0;
      h0 = Math.max(h0, 0);
      h1 = Math.min(h1, H);
      for (let q = 0; q < Wo; q++, o++) {
        let w0 = q * sw - pw;
        let w1 = Math.min(w0 + kw, W + pw);
        const size = hPad * (w1 - w0);
        w0 = Math.max(w0, 0);
        w1 = Math.min(w1, W);
        const empty = h0 >= h1 || w0 >= w1;
        const div = a.divisorOverride
          ? a.divisorOverride
          : a.countIncludePad
            ? size
            : (h1 - h0) * (w1 - w0);
        if (backward) {
          if (empty) continue;
          const v = src[o]! / div;
          for (let ih = h0; ih < h1; ih++) {
            const row = base + ih * W;
            for (let iw = w0; iw < w1; iw++) dst[row + iw] += v;
          }
        } else {
          let s = 0;
          for (let ih = h0; ih < h1; ih++) {
            const row = base + ih * W;
            for (let iw = w0; iw < w1; iw++) s += src[row + iw]!;
          }
          dst[o] = empty ? 0 : s / div;
        }
      }
    }
  }
}

/** Start and end of adaptive window `o` of `outSize` over `inSize`. */
function adaptiveBounds(o: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((o * inSize) / outSize), Math.ceil(((o + 1) * inSize) / outSize)];
}

/**
 * Adaptive average pooling, forward (`backward` false) or backward (spreading `src` over the
 * windows of `dst`, which is cleared first).
 * @example adaptiveAvgPool(x, out, g, false)
 */
export function adaptiveAvgPool(
  src: TypedArray,
  dst: TypedArray,
  g: PoolGeometry,
  backward: boolean,
): void {
  const { planes, H, W, Ho, Wo } = g;
  if (backward) dst.fill(0);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let p = 0; p < Ho; p++) {
      const [h0, h1] = adaptiveBounds(p, H, Ho);
      for (let q = 0; q < Wo; q++, o++) {
        const [w0, w1] = adaptiveBounds(q, W, Wo);
        const div = (h1 - h0) * (w1 - w0);
        if (backward) {
          const v = src[o]! / div;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) dst[base + ih * W + iw] += v;
          }
        } else {
          let s = 0;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) s += src[base + ih * W + iw]!;
          }
          dst[o] = s / div;
        }
      }
    }
  }
}

const spatial = (t: Tensor) => t.shape.slice(2);
const dataOf = (t: Tensor) => t.storage.data as TypedArray;

type AvgAttrs = PoolKernelAttrs & {
  countIncludePad: boolean;
  divisorOverride?: number;
  inputSize?: readonly number[];
};
const avgOptions = (a: AvgAttrs): AvgOptions => ({
  countIncludePad: a.countIncludePad,
  divisorOverride: a.divisorOverride ?? 0,
});

const maxPoolKernel: Kernel<PoolKernelAttrs> = ([x], [out, idx], a) => {
  const g = poolGeometry(x!.shape, spatial(out!), a);
  maxPoolForward(denseData(x!), dataOf(out!), dataOf(idx!) as Int32Array, g);
};

const maxPoolBackwardKernel: Kernel = ([gy, idx], [gx]) => {
  const outPlane = numelOf(spatial(gy!));
  const inPlane = numelOf(spatial(gx!));
  maxPoolBackward(denseData(gy!), denseData(idx!), dataOf(gx!), outPlane, inPlane);
};

const avgPoolKernel: Kernel<AvgAttrs> = ([x], [out], a) => {
  const g = poolGeometry(x!.shape, spatial(out!), a);
  avgPool(denseData(x!), dataOf(out!), g, avgOptions(a), false);
};

const avgPoolBackwardKernel: Kernel<AvgAttrs> = ([gy], [gx], a) => {
  const g = poolGeometry(gx!.shape, spatial(gy!), a);
  avgPool(denseData(gy!), dataOf(gx!), g, avgOptions(a), true);
};

const noWindow = { kernelSize: [], stride: [], padding: [] };
const adaptiveKernel: Kernel = ([x], [out]) => {
  adaptiveAvgPool(
    denseData(x!),
    dataOf(out!),
    poolGeometry(x!.shape, spatial(out!), noWindow),
    false,
  );
};
const adaptiveBackwardKernel: Kernel = ([gy], [gx]) => {
  adaptiveAvgPool(
    denseData(gy!),
    dataOf(gx!),
    poolGeometry(gx!.shape, spatial(gy!), noWindow),
    true,
  );
};

/**
 * Registers the CPU kernels of the pooling ops named in `names` for `device`.
 * @example registerPoolKernels({ max: ['nn.maxPool2d'], maxBackward: 'nn.maxPoolBackward', ... }, 'cpu')
 */
export function registerPoolKernels(
  names: {
    max: readonly string[];
    maxBackward: string;
    avg: readonly string[];
    avgBackward: string;
    adaptive: readonly string[];
    adaptiveBackward: string;
  },
  device: string,
): void {
  for (const n of names.max) registerKernel(n, device, maxPoolKernel);
  registerKernel(names.maxBackward, device, maxPoolBackwardKernel);
  for (const n of names.avg) registerKernel(n, device, avgPoolKernel);
  registerKernel(names.avgBackward, device, avgPoolBackwardKernel);
  for (const n of names.adaptive) registerKernel(n, device, adaptiveKernel);
  registerKernel(names.adaptiveBackward, device, adaptiveBackwardKernel);
}
