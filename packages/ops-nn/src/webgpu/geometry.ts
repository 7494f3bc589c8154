import type { Tensor } from '@autodag/core';

/**
 * Offset and (n, c, h, w) strides of a 3-D or 4-D tensor, a 1-D spatial dim read as height 1
 * (stride 0): how the convolution and pooling kernels address their operands.
 * @example layout4(x) // x of shape [2, 3, 5] contiguous: [0, 15, 5, 0, 1]
 */
export function layout4(t: Tensor | undefined): number[] {
  if (!t) return [0, 0, 0, 0, 0];
  const s = t.strides;
  return t.shape.length === 4
    ? [t.offset, s[0]!, s[1]!, s[2]!, s[3]!]
    : [t.offset, s[0]!, s[1]!, 0, s[2]!];
}

/**
 * WGSL reading what `layout4` writes into the parameter words `p`: `s_(w)`, word w as a signed
 * stride, and `at4_(base, n, c, h, w)`, the storage index of element (n, c, h, w) of the operand
 * whose layout starts at word `base`.
 */
export const LAYOUT4_INDEX = `
fn s_(w: u32) -> i32 { return bitcast<i32>(p[w]); }
fn at4_(base: u32, n: u32, c: u32, h: u32, w: u32) -> u32 {
  return u32(s_(base) + i32(n) * s_(base + 1u) + i32(c) * s_(base + 2u) + i32(h) * s_(base + 3u)
    + i32(w) * s_(base + 4u));
}`;

/**
 * The spatial sizes of an (N, C, ...spatial) tensor.
 * @example spatialOf(x) // x of shape [2, 3, 8, 8]: [8, 8]
 */
export const spatialOf = (t: Tensor): number[] => t.shape.slice(2);
