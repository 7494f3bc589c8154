import type { Tensor, TypedArray } from '@autodag/core';
import { broadcastStrides, contiguousStrides } from '@autodag/core';

/**
 * Walks an N-d index space row by row (the last dimension is the row), keeping one running
 * element offset per operand. `visit` gets each operand's offset at the row start; the per-operand
 * step along the row is `strides[k][last]`. This is the one loop every strided CPU kernel uses.
 * @example
 * // Sum a 2×3 transposed view (strides [1, 2]) row by row.
 * let s = 0;
 * forEachRow([2, 3], [[1, 2]], [0], ([p]) => { for (let i = 0; i < 3; i++) s += data[p! + 2 * i]!; });
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

/**
 * Where a tensor's elements sit inside a flat array (a `Tensor` is one).
 * @example const firstColumn: Layout = { shape: [3], strides: [4], offset: 0 } // of a 3×4 matrix
 */
export interface Layout {
  /** Size of each dim. */
  readonly shape: readonly number[];
  /** Elements to step in the flat array per index step of each dim. */
  readonly strides: readonly number[];
  /** Index of element [0, …, 0] in the flat array. */
  readonly offset: number;
}

/** Unit-step rows at least this long are copied with one `set` (a call costs more than a short loop). */
const SET_MIN_ROW = 12;

/**
 * Copies the elements of `src` laid out as `layout`, in row-major order, into `out` from `outOffset`.
 * @example gatherLayout(new Float32Array([1, 2, 3, 4]), { shape: [2, 2], strides: [1, 2], offset: 0 }, out) // out = [1, 3, 2, 4]
 */
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
  const bulk = step === 1 && len >= SET_MIN_ROW;
  forEachRow(shape, [strides], [layout.offset], (offs) => {
    let s = offs[0]!;
    if (bulk) {
      out.set(src.subarray(s, s + len), o);
      o += len;
    } else {
      for (let i = 0; i < len; i++, s += step) out[o++] = src[s]!;
    }
  });
}

/**
 * Writes `values` (row-major over `layout.shape`) to the elements of `out` laid out as `layout`,
 * the inverse of {@link gatherLayout}. With `accumulate` it adds to them instead, so positions
 * the layout reaches more than once (stride 0) receive the sum.
 * @example scatterLayout(new Float32Array([1, 2, 3, 4]), out, { shape: [2, 2], strides: [1, 2], offset: 0 }) // out = [1, 3, 2, 4]
 */
export function scatterLayout(
  values: TypedArray,
  out: TypedArray,
  layout: Layout,
  accumulate = false,
): void {
  // An empty layout may sit past the end of `out`: nothing to write.
  if (values.length === 0) return;
  const { shape, strides, offset } = layout;
  const nd = shape.length;
  if (nd === 0) {
    out[offset] = accumulate ? out[offset]! + values[0]! : values[0]!;
    return;
  }
  const len = shape[nd - 1]!;
  const step = strides[nd - 1]!;
  let k = 0;
  if (accumulate) {
    forEachRow(shape, [strides], [offset], (offs) => {
      let p = offs[0]!;
      for (let i = 0; i < len; i++, p += step) out[p] = out[p]! + values[k++]!;
    });
    return;
  }
  const bulk = step === 1 && len >= SET_MIN_ROW;
  forEachRow(shape, [strides], [offset], (offs) => {
    let p = offs[0]!;
    if (bulk) {
      out.set(values.subarray(k, k + len), p);
      k += len;
    } else {
      for (let i = 0; i < len; i++, p += step) out[p] = values[k++]!;
    }
  });
}

/**
 * Copies any strided tensor's elements, in row-major order, into `out` starting at `outOffset`.
 * @example gatherInto(torch.tensor([[1, 2], [3, 4]]).t(), out) // out = [1, 3, 2, 4]
 */
export function gatherInto(t: Tensor, out: TypedArray, outOffset = 0): void {
  gatherLayout(t.storage.data as TypedArray, t, out, outOffset);
}

/**
 * The elements of `t` as a dense row-major typed array: the storage itself (or a subarray of it)
 * when `t` is contiguous, else a gathered copy. Read it only; writing may change `t`.
 * @example denseData(torch.tensor([[1, 2], [3, 4]]).t()) // Float32Array [1, 3, 2, 4]
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

/**
 * Strides for reading `t` broadcast to `shape` (0 along broadcast dims).
 * @example stridesFor(torch.ones(3, 1), [2, 3, 4]) // [0, 1, 0]
 */
export function stridesFor(t: Tensor, shape: readonly number[]): number[] {
  return broadcastStrides(t.shape, t.strides, shape);
}

export { contiguousStrides };
