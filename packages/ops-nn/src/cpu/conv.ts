import { denseData, gemmBatched } from '@autodag/backend-cpu';
import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { type ConvGeometry, type ConvKernelAttrs, convGeometry } from '../geometry.js';
import { col2im, im2col, scratch } from './im2col.js';

/**
 * CPU kernels of the convolution ops, as batches of GEMMs over the images (`gemmBatched`: on the
 * WebAssembly SIMD kernels for float32, which pack the shared weight once per batch):
 * - forward:    y[n, grp] = W[grp] · im2col(x[n, grp])  (im2col written where the GEMM reads it)
 * - transposed: x[n, grp] = col2im(W[grp]ᵀ · y[n, grp])  (also the input gradient; col2im reads
 *   the product where the GEMM left it)
 * - weight:     gW[grp] = Σₙ gy[n, grp] · im2col(x[n, grp])ᵀ  (summed inside the GEMM)
 * A 1×1 kernel with unit stride and no padding skips im2col (the image is its own column
 * matrix). 1-D convolutions run as 2-D ones of height 1.
 */

/** True when the column matrix of an image is the image itself (1×1 kernel, stride 1, no padding). */
function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;
}

function addBias(y: TypedArray, b: TypedArray, N: number, O: number, plane: number) {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const v = b[o]!;
      const start = (n * O + o) * plane;
      for (let i = start; i < start + plane; i++) y[i] += v;
    }
  }
}

/**
 * y = conv(x, W) (+ bias): writes the dense output `y`. A bias rides along in the GEMM as one
 * more column of W against a row of ones under the column matrix (no extra pass over y).
 * @example convForward(xData, wData, yData, g, biasData)
 */
export function convForward(
  x: TypedArray,
  w: TypedArray,
  y: TypedArray,
  g: ConvGeometry,
  bias?: TypedArray,
): void {
  const { N, C, H, W, O, kh, kw, Ho, Wo, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  const K = Cg * kh * kw;
  const P = Ho * Wo;
  const pointwise = isPointwise(g);
  const fuse = bias !== undefined && !pointwise;
  const Ka = fuse ? K + 1 : K;
  let a = w;
  if (fuse) {
    a = scratch(w, 'conv.wbias', O * Ka);
    for (let o = 0; o < O; o++) {
      a.set(w.subarray(o * K, o * K + K), o * Ka);
      a[o * Ka + K] = bias[o]!;
    }
  }
  for (let grp = 0; grp < groups; grp++) {
    const xo = (n: number) => (n * C + grp * Cg) * H * W;
    gemmBatched({
      count: N,
      M: Og,
      N: P,
      K: Ka,
      a: { data: a, offset: grp * Og * Ka, rs: Ka, cs: 1 },
      // The column matrix is written straight where the GEMM reads it.
      b: pointwise
        ? (n) => ({ data: x, offset: xo(n), rs: P, cs: 1 })
        : {
            write: (n, col, at) => {
              im2col(x, xo(n), Cg, g, col, at);
              if (fuse) col.fill(1, at + K * P, at + Ka * P);
            },
          },
      c: y,
      at: (n) => (n * O + grp * Og) * P,
    });
  }
  if (bias && !fuse) addBias(y, bias, N, O, P);
}

/**
 * x = convᵀ(y, W): the adjoint of {@link convForward} in its input (a transposed convolution,
 * and the input gradient of a convolution). Writes the dense `x` (cleared first).
 * @example convTransposed(yData, wData, xData, g)
 */
export function convTransposed(y: TypedArray, w: TypedArray, x: TypedArray, g: ConvGeometry): void {
  const { N, C, H, W, O, kh, kw, Ho, Wo, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  const K = Cg * kh * kw;
  const P = Ho * Wo;
  const pointwise = isPointwise(g);
  const plane = Cg * H * W;
  // Each image's channels are written whole below, unless there is no product to write them.
  if (K === 0 || P === 0) x.fill(0);
  for (let grp = 0; grp < groups; grp++) {
    const xo = (n: number) => (n * C + grp * Cg) * H * W;
    gemmBatched({
      count: N,
      M: K,
      N: P,
      K: Og,
      a: { data: w, offset: grp * Og * K, rs: 1, cs: K },
      b: (n) => ({ data: y, offset: (n * O + grp * Og) * P, rs: P, cs: 1 }),
      // A pointwise product is the input gradient itself; others are scattered back by col2im
      // straight from where the GEMM left them, into work space beside them (SIMD adds there),
      // then copied out.
      c: pointwise ? x : scratch(x, 'conv.col', K * P),
      at: xo,
      work: pointwise ? 0 : plane,
      use: pointwise
        ? undefined
        : (n, col, at, pitch, workAt) => {
            const img = col.subarray(workAt, workAt + plane).fill(0);
            col2im(col, Cg, g, img, 0, at, pitch);
            x.set(img, xo(n));
          },
    });
  }
}

/**
 * gW = the gradient of Σ gy·conv(x, W) in W: Σₙ gy[n] · im2col(x[n])ᵀ per group, summed inside
 * the GEMM. Writes the dense (O, C/groups, kh, kw) `gw`.
 * @example convWeightGrad(xData, gyData, gwData, g)
 */
export function convWeightGrad(x: TypedArray, gy: TypedArray, gw: TypedArray, g: ConvGeometry) {
  const { N, C, H, W, O, kh, kw, Ho, Wo, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  const K = Cg * kh * kw;
  const P = Ho * Wo;
  const pointwise = isPointwise(g);
  const col = pointwise ? x : scratch(x, 'conv.col', K * P);
  if (N === 0) gw.fill(0);
  for (let grp = 0; grp < groups; grp++) {
    const xo = (n: number) => (n * C + grp * Cg) * H * W;
    gemmBatched({
      count: N,
      M: Og,
      N: K,
      K: P,
      a: (n) => ({ data: gy, offset: (n * O + grp * Og) * P, rs: P, cs: 1 }),
      b: (n) => {
        if (pointwise) return { data: x, offset: xo(n), rs: 1, cs: P };
        im2col(x, xo(n), Cg, g, col);
        return { data: col, offset: 0, rs: 1, cs: P };
      },
      c: gw,
      at: () => grp * Og * K,
      sum: true,
    });
  }
}

const spatialOf = (t: Tensor) => t.shape.slice(2);

/**
 * The elements of `t` as a dense array. A broadcast scalar (every stride 0: the gradient of a
 * `sum()`) is filled in one pass, into the work array `slot`, rather than gathered element by
 * element.
 */
function dense(t: Tensor, slot: string): TypedArray {
  const src = t.storage.data as TypedArray;
  const n = t.numel();
  if (n > 1 && t.strides.every((s) => s === 0)) {
    // Read only while the kernel runs, so a reused work array will do.
    return scratch(src, slot, n).fill(src[t.offset]!, 0, n).subarray(0, n);
  }
  return denseData(t);
}

/** conv(input, weight[, bias]) with the op's attributes. */
const convKernel: Kernel<ConvKernelAttrs> = ([x, w, bias], [y], attrs) => {
  const g = convGeometry(x!.shape, w!.shape[0]!, spatialOf(w!), spatialOf(y!), attrs);
  convForward(
    dense(x!, 'conv.in0'),
    dense(w!, 'conv.in1'),
    y!.storage.data as TypedArray,
    g,
    bias && dense(bias, 'conv.in2'),
  );
};

/** convTranspose(input, weight[, bias]): weight is (Cin, Cout/groups, ...k). */
const convTransposeKernel: Kernel<ConvKernelAttrs> = ([u, w, bias], [z], attrs) => {
  const g = convGeometry(z!.shape, u!.shape[1]!, spatialOf(w!), spatialOf(u!), attrs);
  const out = z!.storage.data as TypedArray;
  convTransposed(dense(u!, 'conv.in0'), dense(w!, 'conv.in1'), out, g);
  if (bias) addBias(out, dense(bias, 'conv.in2'), g.N, g.C, g.H * g.W);
};

/** convWeightBackward(input, gradOutput): the weight gradient. */
const convWeightKernel: Kernel<ConvKernelAttrs> = ([x, gy], [gw], attrs) => {
  const g = convGeometry(x!.shape, gy!.shape[1]!, spatialOf(gw!), spatialOf(gy!), attrs);
  convWeightGrad(dense(x!, 'conv.in0'), dense(gy!, 'conv.in1'), gw!.storage.data as TypedArray, g);
};

/** Σ g[start, start + n), in four interleaved partial sums (one would wait on each add). */
function planeSum(g: TypedArray, start: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = start + n;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    s0 += g[i]!;
    s1 += g[i + 1]!;
    s2 += g[i + 2]!;
    s3 += g[i + 3]!;
  }
  for (; i < end; i++) s0 += g[i]!;
  return s0 + s1 + (s2 + s3);
}

/** convBiasBackward(gradOutput): per-channel sums of the gradient. */
const convBiasKernel: Kernel = ([gy], [gb]) => {
  const g = dense(gy!, 'conv.in1');
  const out = gb!.storage.data as TypedArray;
  const [N, C] = gy!.shape as [number, number];
  const plane = C === 0 || N === 0 ? 0 : g.length / (N * C);
  out.fill(0);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      out[c] += planeSum(g, (n * C + c) * plane, plane);
    }
  }
};

/**
 * Registers the CPU kernels of the convolution ops named in `names` for `device`.
 * @example registerConvKernels({ conv: ['nn.conv2d'], transposed: ['nn.convTranspose2d'], weight: ['nn.convWeightBackward'], bias: ['nn.convBiasBackward'] }, 'cpu')
 */
export function registerConvKernels(
  names: {
    conv: readonly string[];
    transposed: readonly string[];
    weight: readonly string[];
    bias: readonly string[];
  },
  device: string,
): void {
  for (const n of names.conv) registerKernel(n, device, convKernel);
  for (const n of names.transposed) registerKernel(n, device, convTransposeKernel);
  for (const n of names.weight) registerKernel(n, device, convWeightKernel);
  for (const n of names.bias) registerKernel(n, device, convBiasKernel);
}
