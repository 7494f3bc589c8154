/**
 * The geometry of convolutions and poolings as every backend's kernels see it: 2-D, with 1-D
 * ops as height 1 (their single entries are the width's, the height's take the defaults).
 * Backend-neutral: the CPU and WebGPU kernels both read it.
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

/**
 * Attributes shared by the convolution ops (an absent entry takes its default: stride and
 * dilation 1, padding 0, one group) (one entry per spatial dim in each array).
 * @example const a: ConvKernelAttrs = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }
 */
export interface ConvKernelAttrs {
  /** Step between applications of the kernel. */
  stride?: readonly number[];
  /** Implicit zero padding on both sides. */
  padding?: readonly number[];
  /** Spacing between kernel taps. */
  dilation?: readonly number[];
  /** Channel groups. */
  groups?: number;
}

/**
 * The 2-D geometry of a convolution from its input shape (N, C, ...spatial), its output channels
 * and spatial size, and the kernel's spatial size.
 * @example convGeometry([2, 3, 5, 5], 4, [3, 3], [5, 5], attrs)
 */
export function convGeometry(
  input: readonly number[],
  outChannels: number,
  kernel: readonly number[],
  outSpatial: readonly number[],
  a: ConvKernelAttrs,
): ConvGeometry {
  const two = kernel.length === 2;
  const at = (v: readonly number[] | undefined, d: number, dflt: number) =>
    two ? (v?.[d] ?? dflt) : d === 0 ? dflt : (v?.[0] ?? dflt);
  return {
    N: input[0]!,
    C: input[1]!,
    H: two ? input[2]! : 1,
    W: input[input.length - 1]!,
    O: outChannels,
    kh: at(kernel, 0, 1),
    kw: at(kernel, 1, 1),
    Ho: two ? outSpatial[0]! : 1,
    Wo: outSpatial[outSpatial.length - 1]!,
    sh: at(a.stride, 0, 1),
    sw: at(a.stride, 1, 1),
    ph: at(a.padding, 0, 0),
    pw: at(a.padding, 1, 0),
    dh: at(a.dilation, 0, 1),
    dw: at(a.dilation, 1, 1),
    groups: a.groups ?? 1,
  };
}

/**
 * The geometry of a 2-D pooling (1-D: H = Ho = kh = 1, sh = dh = 1, ph = 0).
 * @example poolGeometry([2, 3, 8, 8], [4, 4], { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] })
 */
export interface PoolGeometry {
  /** Number of planes (batch × channels). */
  planes: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Output height. */
  Ho: number;
  /** Output width. */
  Wo: number;
  /** Window height. */
  kh: number;
  /** Window width. */
  kw: number;
  /** Stride along the height. */
  sh: number;
  /** Stride along the width. */
  sw: number;
  /** Padding at the top. */
  ph: number;
  /** Padding at the left. */
  pw: number;
  /** Dilation along the height. */
  dh: number;
  /** Dilation along the width. */
  dw: number;
}

/**
 * Window attributes as the kernels read them (one entry per spatial dim).
 * @example const a: PoolKernelAttrs = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] }
 */
export interface PoolKernelAttrs {
  /** Window size. */
  kernelSize?: readonly number[];
  /** Step between windows. */
  stride?: readonly number[];
  /** Implicit padding on both sides. */
  padding?: readonly number[];
  /** Spacing between window taps (max pooling). */
  dilation?: readonly number[];
}

/**
 * The 2-D geometry of a pooling from the input shape (N, C, ...spatial) and the output's spatial size.
 * @example poolGeometry([1, 1, 4, 4], [2, 2], { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] }).planes // 1
 */
export function poolGeometry(
  input: readonly number[],
  out: readonly number[],
  a: PoolKernelAttrs,
): PoolGeometry {
  const two = out.length === 2;
  // 1-D: the height entries take their defaults and the single entry is the width's.
  const at = (v: readonly number[] | undefined, d: number, dflt: number) =>
    two ? (v?.[d] ?? dflt) : d === 0 ? dflt : (v?.[0] ?? dflt);
  return {
    planes: input[0]! * input[1]!,
    H: two ? input[2]! : 1,
    W: input[input.length - 1]!,
    Ho: two ? out[0]! : 1,
    Wo: out[out.length - 1]!,
    kh: at(a.kernelSize, 0, 1),
    kw: at(a.kernelSize, 1, 1),
    sh: at(a.stride, 0, 1),
    sw: at(a.stride, 1, 1),
    ph: at(a.padding, 0, 0),
    pw: at(a.padding, 1, 0),
    dh: at(a.dilation, 0, 1),
    dw: at(a.dilation, 1, 1),
  };
}
