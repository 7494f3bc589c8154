import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { contiguousStrides, registerKernel } from '@autodag/core';
import {
  denseData,
  forEachRow,
  gatherLayout,
  type Layout,
  scatterLayout,
  stridesFor,
} from '../strided.js';

/**
 * Indexing kernels. Inputs are read densely (a gather for strided ones), every index is checked
 * before anything is written, and outputs are fresh, so a bad index never corrupts memory.
 */

function product(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/**
 * Offsets, inside one block of dims `dim..dim+k-1` of a dense tensor of `shape`, of the elements
 * that `k` stacked index tensors (`ids`, `k × nb` values) address. Negative indices wrap.
 */
function advancedOffsets(
  ids: TypedArray,
  k: number,
  nb: number,
  shape: readonly number[],
  dim: number,
): Float64Array {
  const strides = contiguousStrides(shape);
  const offs = new Float64Array(nb);
  for (let j = 0; j < k; j++) {
    const size = shape[dim + j]!;
    const stride = strides[dim + j]!;
    const row = j * nb;
    for (let b = 0; b < nb; b++) {
      let v = ids[row + b]!;
      if (v < -size || v >= size) {
        throw new RangeError(`index ${v} is out of bounds for dimension ${j} with size ${size}`);
      }
      if (v < 0) v += size;
      offs[b] = offs[b]! + v * stride;
    }
  }
  return offs;
}

/**
 * How `index` and `indexPut` walk x: `outer` blocks of `block` elements (dims from `dim` on), in
 * each the `nb` slices of `inner` elements at `offs` (checked, so this throws before any write).
 */
function advancedPlan(x: Tensor, indices: Tensor, dim: number) {
  const shape = x.shape;
  const k = indices.shape[0]!;
  const nb = product(indices.shape, 1);
  const offs = advancedOffsets(denseData(indices), k, nb, shape, dim);
  return {
    nb,
    offs,
    outer: product(shape, 0, dim),
    inner: product(shape, dim + k),
    block: product(shape, dim),
  };
}

/** `index`: x[..., idx_0, ..., idx_{k-1}, ...] with the k index tensors stacked in `indices`. */
const indexKernel: Kernel<{ dim: number }> = ([x, indices], [out], { dim }) => {
  const { nb, offs, outer, inner, block } = advancedPlan(x!, indices!, dim);
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  const xd = denseData(x!);
  let p = 0;
  for (let r = 0; r < outer; r++) {
    const base = r * block;
    if (inner === 1) {
      for (let b = 0; b < nb; b++) o[p++] = xd[base + offs[b]!]!;
    } else {
      for (let b = 0; b < nb; b++, p += inner) {
        const s = base + offs[b]!;
        o.set(xd.subarray(s, s + inner), p);
      }
    }
  }
};

/** `indexPut`: a copy of x with the indexed elements set to (or incremented by) `values`. */
const indexPutKernel: Kernel<{ dim: number; accumulate: boolean }> = (
  [x, indices, values],
  [out],
  { dim, accumulate },
) => {
  const { nb, offs, outer, inner, block } = advancedPlan(x!, indices!, dim);
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  o.set(denseData(x!));
  const vd = denseData(values!);
  let p = 0;
  for (let r = 0; r < outer; r++) {
    const base = r * block;
    for (let b = 0; b < nb; b++) {
      const s = base + offs[b]!;
      if (accumulate) {
        for (let i = 0; i < inner; i++) o[s + i] = o[s + i]! + vd[p++]!;
      } else if (inner === 1) {
        o[s] = vd[p++]!;
      } else {
        o.set(vd.subarray(p, p + inner), s);
        p += inner;
      }
    }
  }
};

/** `indexSelect`: whole slices along `dim`, in the order of a 1-d (or 0-d) index. */
const indexSelectKernel: Kernel<{ dim: number }> = ([x, index], [out], { dim }) => {
  const shape = x!.shape.length === 0 ? [1] : x!.shape;
  const ids = denseData(index!);
  const size = shape[dim]!;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= size) {
      throw new RangeError(
        `index_select(): index out of range in self (index ${v}, dimension ${dim} with size ${size})`,
      );
    }
  }
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  const xd = denseData(x!);
  const outer = product(shape, 0, dim);
  const inner = product(shape, dim + 1);
  const block = size * inner;
  let p = 0;
  for (let r = 0; r < outer; r++) {
    const base = r * block;
    for (let i = 0; i < ids.length; i++, p += inner) {
      const s = base + ids[i]! * inner;
      if (inner === 1) o[p] = xd[s]!;
      else o.set(xd.subarray(s, s + inner), p);
    }
  }
};

/**
 * For each element of the index tensor (row-major), the position in a dense tensor of `target`
 * shape that it addresses along `dim`; every index is checked first.
 */
function scatterPositions(
  opName: string,
  index: Tensor,
  target: readonly number[],
  dim: number,
): Float64Array {
  const ids = denseData(index);
  const ishape = index.shape;
  const nd = ishape.length;
  const tShape = target.length === 0 ? [1] : target;
  const size = tShape[dim]!;
  for (let k = 0; k < ids.length; k++) {
    const v = ids[k]!;
    if (v < 0 || v >= size) {
      throw new RangeError(
        `${opName}(): index ${v} is out of bounds for dimension ${dim} with size ${size}`,
      );
    }
  }
  const pos = new Float64Array(ids.length);
  if (ids.length === 0) return pos;
  const ts = contiguousStrides(tShape);
  const dimStride = ts[dim]!;
  if (nd === 0) {
    pos[0] = ids[0]! * dimStride;
    return pos;
  }
  const walkStrides = ts.slice(0, nd);
  walkStrides[dim] = 0;
  const last = nd - 1;
  const len = ishape[last]!;
  const step = walkStrides[last]!;
  let k = 0;
  forEachRow(ishape, [walkStrides], [0], (offs) => {
    const row = offs[0]!;
    for (let i = 0; i < len; i++, k++) pos[k] = row + i * step + ids[k]! * dimStride;
  });
  return pos;
}

/** `gather`: out[i][j][k] = x[i][index[i][j][k]][k] (for dim 1). */
const gatherKernel: Kernel<{ dim: number }> = ([x, index], [out], { dim }) => {
  const o = out!.storage.data as TypedArray;
  const pos = scatterPositions('gather', index!, x!.shape, dim);
  const xd = denseData(x!);
  for (let k = 0; k < pos.length; k++) o[k] = xd[pos[k]!]!;
};

/** The leading block of `t` with the given shape, as a dense row-major array. */
function blockOf(t: Tensor, shape: readonly number[]): TypedArray {
  if (shape.length !== t.shape.length || shape.every((s, i) => s === t.shape[i]))
    return denseData(t);
  const src = t.storage.data as TypedArray;
  const out = new (src.constructor as new (n: number) => TypedArray)(product(shape));
  if (out.length > 0) gatherLayout(src, { shape, strides: t.strides, offset: t.offset }, out);
  return out;
}

/** `scatter`/`scatterAdd`: a copy of x with out[i][index[i][j][k]][k] = (+=) src[i][j][k]. */
function scatterKernel(opName: string, accumulate: boolean): Kernel<{ dim: number }> {
  return ([x, index, src], [out], { dim }) => {
    const o = out!.storage.data as TypedArray;
    // Every index is checked before the copy, so a failure leaves nothing half written.
    const pos = scatterPositions(opName, index!, x!.shape, dim);
    // Only the leading index-shaped block of src is read (src may be larger in every dim).
    const sd = blockOf(src!, index!.shape);
    o.set(denseData(x!));
    if (accumulate) for (let k = 0; k < pos.length; k++) o[pos[k]!] = o[pos[k]!]! + sd[k]!;
    else for (let k = 0; k < pos.length; k++) o[pos[k]!] = sd[k]!;
  };
}

/** `maskedFill`: `value` where the (broadcast) mask is true, else the input. */
const maskedFillKernel: Kernel = ([x, mask, value], [out]) => {
  const o = out!.storage.data as TypedArray;
  const n = o.length;
  if (n === 0) return;
  const v = (value!.storage.data as TypedArray)[value!.offset]!;
  const xd = x!.storage.data as TypedArray;
  const md = mask!.storage.data as TypedArray;
  if (x!.numel() === n && mask!.numel() === n && x!.isContiguous() && mask!.isContiguous()) {
    const xo = x!.offset;
    const mo = mask!.offset;
    for (let i = 0; i < n; i++) o[i] = md[mo + i] ? v : xd[xo + i]!;
    return;
  }
  const shape = out!.shape;
  const sx = stridesFor(x!, shape);
  const sm = stridesFor(mask!, shape);
  if (shape.length === 0) {
    o[0] = md[mask!.offset] ? v : xd[x!.offset]!;
    return;
  }
  const last = shape.length - 1;
  const len = shape[last]!;
  const ix = sx[last]!;
  const im = sm[last]!;
  let k = 0;
  forEachRow(shape, [sx, sm], [x!.offset, mask!.offset], (offs) => {
    let px = offs[0]!;
    let pm = offs[1]!;
    for (let i = 0; i < len; i++, px += ix, pm += im) o[k++] = md[pm] ? v : xd[px]!;
  });
};

/** `nonzero`: the coordinates of every nonzero element, one row each, in row-major order. */
const nonzeroKernel: Kernel = ([x], [out]) => {
  const o = out!.storage.data as TypedArray;
  const xd = denseData(x!);
  const shape = x!.shape;
  const nd = shape.length;
  if (nd === 0 || xd.length === 0) return;
  const len = shape[nd - 1]!;
  const coord = new Array<number>(nd).fill(0);
  let p = 0;
  for (let base = 0; base < xd.length; base += len) {
    for (let j = 0; j < len; j++) {
      if (xd[base + j] === 0) continue;
      for (let d = 0; d < nd - 1; d++) o[p++] = coord[d]!;
      o[p++] = j;
    }
    // Odometer over the outer dims, once per row.
    for (let d = nd - 2; d >= 0; d--) {
      if (++coord[d]! < shape[d]!) break;
      coord[d] = 0;
    }
  }
};

/** `asStridedScatter`: a copy of x with `src` written at the layout's positions. */
const asStridedScatterKernel: Kernel<Layout> = ([x, src], [out], layout) => {
  const o = out!.storage.data as TypedArray;
  o.set(denseData(x!));
  scatterLayout(denseData(src!), o, layout);
};

/**
 * Registers the indexing kernels (`index`, `indexPut`, `indexSelect`, `gather`, `scatter`,
 * `scatterAdd`, `maskedFill`, `nonzero`, `asStridedScatter`) on `backend`.
 * @example registerIndexingKernels('cpu-poison')
 */
export function registerIndexingKernels(backend: string): void {
  registerKernel('index', backend, indexKernel);
  registerKernel('indexPut', backend, indexPutKernel);
  registerKernel('indexSelect', backend, indexSelectKernel);
  registerKernel('gather', backend, gatherKernel);
  registerKernel('scatter', backend, scatterKernel('scatter', false));
  registerKernel('scatterAdd', backend, scatterKernel('scatter_add', true));
  registerKernel('maskedFill', backend, maskedFillKernel);
  registerKernel('nonzero', backend, nonzeroKernel);
  registerKernel('asStridedScatter', backend, asStridedScatterKernel);
}
