import type { Tensor, TypedArray } from '@autodag/core';
import { broadcastStrides, contiguousStrides } from '@autodag/core';

/**
 * Walks an N-d index space row by row (the last dimension is the row), keeping one running
 * element offset per operand. `visit` gets each operand's offset at the row start; the per-operand
 * step along the row is `strides[k][last]`. This is the one loop every strided CPU kernel uses.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  visit: (rowOffsets: number[]) => void,
): void {
  const nd = shape.length;
  const k = strides.length;
  const cur = offsets.slice();
  if (nd === 0) {
    visit(cur);
    return;
  }
  for (let d = 0; d < nd; d++) if (shape[d] === 0) return;
  const outer = nd - 1;
  const idx = new Array<number>(outer).fill(0);
  for (;;) {
    visit(cur);
    // Odometer increment over the outer dims.
    let d = outer - 1;
    for (; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) cur[j]! += strides[j]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let j = 0; j < k; j++) cur[j]! -= strides[j]![d]! * shape[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** Where a tensor's elements sit inside a flat array. */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Copies the elements of `src` laid out as `layout`, in row-major order, into `out` from `outOffset`. */
export function gatherLayout(
  src: TypedArray,
  layout: Layout,
  out: TypedArray,
  outOffset = 0,
): void {
  const { shape, strides } = layout;
  const nd = shape.length;
  if (nd === 0) {
    out[outOffset] = src[layout.offset]!;
    return;
  }
  const len = shape[nd - 1]!;
  const step = strides[nd - 1]!;
  let o = outOffset;
  forEachRow(shape, [strides], [layout.offset], (offs) => {
    let s = offs[0]!;
    if (step === 1) {
      out.set(src.subarray(s, s + len), o);
      o += len;
    } else {
      for (let i = 0; i < len; i++, s += step) out[o++] = src[s]!;
    }
  });
}

/** Copies any strided tensor's elements, in row-major order, into `out` starting at `outOffset`. */
export function gatherInto(t: Tensor, out: TypedArray, outOffset = 0): void {
  gatherLayout(t.storage.data as TypedArray, t, out, outOffset);
}

/**
 * The elements of `t` as a dense row-major typed array: the storage itself when `t` already is
 * contiguous from offset 0, else a gathered copy.
 */
export function denseData(t: Tensor): TypedArray {
  const src = t.storage.data as TypedArray;
  const n = t.numel();
  if (t.isContiguous()) {
    return t.offset === 0 && src.length === n ? src : src.subarray(t.offset, t.offset + n);
  }
  const out = new (src.constructor as new (n: number) => TypedArray)(n);
  gatherInto(t, out);
  return out;
}

/** Strides for reading `t` broadcast to `shape`. */
export function stridesFor(t: Tensor, shape: readonly number[]): number[] {
  return broadcastStrides(t.shape, t.strides, shape);
}

export { contiguousStrides };
