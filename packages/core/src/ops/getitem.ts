import { argTypeError, checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { fromTypedArray, scalarTensor, tensor } from '../creation.js';
import { isGradEnabled, noGrad } from '../grad-mode.js';
import type { ViewLayout } from '../registry.js';
import { broadcastShapes, contiguousStrides, formatShape } from '../shape.js';
import type { NestedArray } from '../tensor.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { run } from './define.js';
import { asStridedScatterOp, indexOp, indexPutOp, nonzero } from './indexing.js';
import { assignOp } from './inplace.js';
import { inplaceMaybeView } from './inplace-view.js';
import { stack } from './join.js';
import { nonzeroAsync } from './nonzero-async.js';
import { requireSyncCount } from './nonzero-count.js';
import { selectOp, sliceOp } from './slicing.js';
import { clone, contiguous, expand, permute, reshape, unsqueezeOp } from './view.js';

/**
 * PyTorch's `x[...]` and `x[...] = v` for JavaScript, spelled `x.get(...)` and `x.set([...], v)`.
 * Basic indices (integers, slices, `'...'`, `null`) give views; integer arrays, int32 tensors and
 * bool masks (advanced indices) give copies through the `index` op, and writes through `indexPut`.
 */

/** A Python slice `start:stop:step` as an object; omitted fields take Python's defaults. */
export interface SliceIndex {
  /** First index included (Python's default: 0); negative counts from the end. */
  start?: number | null;
  /** Index the slice stops before (default: the end); negative counts from the end. */
  stop?: number | null;
  /** Stride between taken indices (default 1); must be positive, as in PyTorch. */
  step?: number | null;
}

/**
 * One element of an index, as in a Python subscript:
 * - a number: an integer index (negative counts from the end); the dim is removed;
 * - a string: Python slice syntax (`':'`, `'1:'`, `':3'`, `'::2'`, `'-2:'`, `'1:5:2'`),
 *   or `'...'` for Ellipsis;
 * - a `{ start, stop, step }` object: a slice;
 * - `null`: None/newaxis, inserts a dim of size 1;
 * - a (nested) array of integers or an int32 tensor: an integer-array (advanced) index;
 * - a (nested) array of booleans or a bool tensor: a mask over as many dims as it has;
 * - `true`/`false`: a 0-d mask (adds a dim of size 1 or 0).
 */
export type IndexItem =
  | number
  | string
  | null
  | boolean
  | SliceIndex
  | Tensor
  | readonly NestedArray[];

/** One basic indexing step, applied to the running view; dims refer to that view. */
type Step =
  | { kind: 'select'; dim: number; index: number }
  | { kind: 'slice'; dim: number; start: number; end: number; step: number }
  | { kind: 'unsqueeze'; dim: number };

/** An advanced index: an int32 tensor addressing dim `dim` of the basic view. */
interface Advanced {
  dim: number;
  index: Tensor;
}

interface Plan {
  steps: Step[];
  advanced: Advanced[];
  /** Shape of the basic view. */
  shape: number[];
}

const SLICE_RE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function parseSliceString(s: string): SliceIndex | null {
  const m = SLICE_RE.exec(s);
  if (!m) return null;
  const num = (v: string | undefined) => (v === undefined ? null : Number(v));
  return { start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
}

function isSliceObject(v: unknown): v is SliceIndex {
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Tensor) &&
    !Array.isArray(v) &&
    ('start' in v || 'stop' in v || 'step' in v || Object.keys(v).length === 0)
  );
}

/** Python's `slice.indices(size)` for a positive step: clamped `[start, end)`. */
function resolveSlice(s: SliceIndex, size: number): { start: number; end: number; step: number } {
  const step = s.step ?? 1;
  if (!Number.isInteger(step)) throw new TypeError(`slice step must be an integer, got ${step}`);
  if (step === 0) throw new RangeError('slice step cannot be zero');
  if (step < 0) throw new RangeError('step must be greater than zero');
  const clamp = (v: number | null | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`slice indices must be integers, got ${v}`);
    const r = v < 0 ? v + size : v;
    return Math.min(Math.max(r, 0), size);
  };
  const start = clamp(s.start, 0);
  const end = Math.max(clamp(s.stop, size), start);
  return { start, end, step };
}

/**
 * Coordinates of the bool masks of one subscript whose counts are known without reading the
 * device: masks written as JS arrays (counted on the host) and those `getItemAsync` counted.
 */
type MaskCoords = Map<Tensor, Tensor>;

/** The `[count, ndim]` coordinates of the true elements of a row-major mask, as nonzero gives. */
function hostCoords(flat: readonly boolean[], shape: readonly number[], device: string): Tensor {
  const coords: number[] = [];
  flat.forEach((v, i) => {
    if (!v) return;
    const at = coords.length;
    for (let d = shape.length - 1, rem = i; d >= 0; d--) {
      coords[at + d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
  });
  const n = coords.length / shape.length;
  return fromTypedArray(Int32Array.from(coords), [n, shape.length], { dtype: 'int32', device });
}

/**
 * Nested JS arrays become int32 (all integers) or bool (all booleans) tensors; a bool mask's
 * coordinates are computed here, so indexing with it needs no read of the device.
 */
function arrayIndex(a: readonly NestedArray[], device: string, known: MaskCoords): Tensor {
  const flat = (a as unknown[]).flat(Number.POSITIVE_INFINITY);
  if (flat.length > 0 && flat.every((v) => typeof v === 'boolean')) {
    const mask = tensor(a as NestedArray[], { dtype: 'bool', device });
    known.set(mask, hostCoords(flat as boolean[], mask.shape, device));
    return mask;
  }
  for (const v of flat) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(
        `index: arrays used as indices must hold only integers or only booleans, got ${JSON.stringify(v)}`,
      );
    }
  }
  return tensor(a as NestedArray[], { dtype: 'int32', device });
}

/** How many dims of the indexed tensor an item consumes. */
function dimsConsumed(item: IndexItem): number {
  if (item === null || item === '...' || typeof item === 'boolean') return 0;
  if (item instanceof Tensor) return item.dtype === 'bool' ? item.shape.length : 1;
  return 1;
}

/** How each caller of `plan` gets around a mask on a device without synchronous reads. */
const ASYNC_HINT: Record<string, string> = {
  index: "'await x.getAsync(...)' (PyTorch's x[mask])",
};
const WRITE_HINT =
  "x.maskedFill_(mask, value) or torch.where(mask, value, x), or integer indices from 'await mask.nonzeroAsync({ asTuple: true })'";

/**
 * The `[count, ndim]` coordinates of a bool mask's true elements (a 0-d mask as one element):
 * counted already (`known`), or by `nonzero`, which needs a synchronous read.
 */
function maskCoords(mask: Tensor, known: MaskCoords, opName: string): Tensor {
  const counted = known.get(mask);
  if (counted) return counted;
  requireSyncCount(`${opName} with a bool mask`, mask, ASYNC_HINT[opName] ?? WRITE_HINT);
  return nonzero(mask.shape.length === 0 ? reshape(mask, [1]) : mask);
}

/**
 * Turns the items of a subscript into basic steps on views plus advanced indices. `known` holds
 * the coordinates of masks counted beforehand (see `getItemAsync`).
 */
function plan(
  x: Tensor,
  rawItems: readonly IndexItem[],
  opName: string,
  known: MaskCoords = new Map(),
): Plan {
  const items = rawItems.map((it) => {
    if (Array.isArray(it)) return arrayIndex(it as NestedArray[], x.device, known);
    if (typeof it === 'string' && it.trim() === '...') return '...';
    return it;
  });
  let consumed = 0;
  let ellipses = 0;
  for (const it of items) {
    if (it === '...') ellipses++;
    else consumed += dimsConsumed(it as IndexItem);
  }
  if (ellipses > 1)
    throw new RangeError(`${opName}: an index can only have a single ellipsis ('...')`);
  if (x.shape.length === 0 && consumed > 0) {
    throw new RangeError(
      `${opName}: invalid index of a 0-dim tensor. Use \`tensor.item()\` to convert a 0-dim tensor to a number`,
    );
  }
  if (consumed > x.shape.length) {
    throw new RangeError(`${opName}: too many indices for tensor of dimension ${x.shape.length}`);
  }
  const shape = x.shape.slice();
  const steps: Step[] = [];
  const advanced: Advanced[] = [];
  let dim = 0; // position in the running view
  let orig = 0; // position in `x`, for error messages
  for (const it of items) {
    if (it === '...') {
      const span = x.shape.length - consumed;
      dim += span;
      orig += span;
    } else if (it === null || typeof it === 'boolean') {
      steps.push({ kind: 'unsqueeze', dim });
      shape.splice(dim, 0, 1);
      if (it === false) {
        steps.push({ kind: 'slice', dim, start: 0, end: 0, step: 1 });
        shape[dim] = 0;
      }
      dim++;
    } else if (typeof it === 'number') {
      const size = shape[dim]!;
      if (!Number.isInteger(it)) {
        throw new TypeError(
          `${opName}: indices must be integers, slices, '...', null or tensors, got ${it}`,
        );
      }
      if (it < -size || it >= size) {
        throw new RangeError(
          `index ${it} is out of bounds for dimension ${orig} with size ${size}`,
        );
      }
      steps.push({ kind: 'select', dim, index: it < 0 ? it + size : it });
      shape.splice(dim, 1);
      orig++;
    } else if (typeof it === 'string' || isSliceObject(it)) {
      const s = typeof it === 'string' ? parseSliceString(it) : it;
      if (!s) {
        throw new TypeError(
          `${opName}: invalid index string '${it}': use Python slice syntax such as ':', '1:', ':3', '::2', '1:5:2', or '...'`,
        );
      }
      const r = resolveSlice(s, shape[dim]!);
      steps.push({ kind: 'slice', dim, ...r });
      shape[dim] = Math.max(0, Math.ceil((r.end - r.start) / r.step));
      dim++;
      orig++;
    } else if (it instanceof Tensor) {
      if (it.dtype === 'bool') {
        const md = it.shape.length;
        if (md === 0) {
          // A 0-d mask adds a dim, kept (true) or emptied (false), as PyTorch does.
          advanced.push({ dim, index: reshape(maskCoords(it, known, opName), [-1]) });
          steps.push({ kind: 'unsqueeze', dim });
          shape.splice(dim, 0, 1);
          dim++;
          continue;
        }
        for (let j = 0; j < md; j++) {
          if (it.shape[j] !== shape[dim + j]) {
            throw new RangeError(
              `The shape of the mask ${formatShape(it.shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(x.shape)} at index ${orig + j}`,
            );
          }
        }
        const coords = maskCoords(it, known, opName);
        for (let j = 0; j < md; j++) {
          advanced.push({ dim: dim + j, index: contiguous(coords.select(1, j)) });
        }
        dim += md;
        orig += md;
      } else if (it.dtype === 'int32') {
        advanced.push({ dim, index: it });
        dim++;
        orig++;
      } else {
        throw new TypeError(
          `tensors used as indices must be int32 or bool tensors, got a tensor of dtype ${it.dtype}`,
        );
      }
    } else {
      throw new TypeError(
        `${opName}: indices must be numbers, slice strings, '...', null, { start, stop, step }, arrays or tensors, got ${JSON.stringify(it)}`,
      );
    }
  }
  return { steps, advanced, shape };
}

/** The basic view of `x` a plan describes, built from view ops (so it is differentiable). */
function basicView(x: Tensor, steps: readonly Step[]): Tensor {
  let r = x;
  for (const s of steps) {
    if (s.kind === 'select') r = run(selectOp, [r], { dim: s.dim, index: s.index });
    else if (s.kind === 'slice') {
      r = run(sliceOp, [r], { dim: s.dim, start: s.start, end: s.end, step: s.step });
    } else r = run(unsqueezeOp, [r], { dim: s.dim });
  }
  return r;
}

/** Where the basic view sits inside a dense row-major tensor of `shape`. */
function basicLayout(shape: readonly number[], steps: readonly Step[]): ViewLayout {
  let l: ViewLayout = { shape, strides: contiguousStrides(shape), offset: 0 };
  for (const s of steps) {
    if (s.kind === 'select') l = selectOp.def.view!(l, s);
    else if (s.kind === 'slice') l = sliceOp.def.view!(l, s);
    else l = unsqueezeOp.def.view!(l, s);
  }
  return l;
}

/** How the advanced indices apply to the basic view `b`: which dims, stacked indices, layout. */
interface AdvancedPlan {
  /** `b`, with the advanced dims moved to the front when they are not adjacent. */
  source: Tensor;
  /** Inverse permutation back to `b`'s dim order, or null. */
  inverse: number[] | null;
  indices: Tensor;
  dim: number;
  /** Shape of the indexing result. */
  shape: number[];
}

function advancedPlan(b: Tensor, advanced: readonly Advanced[]): AdvancedPlan {
  let bshape: number[];
  try {
    bshape = advanced.reduce<number[]>(
      (acc, a) => broadcastShapes(acc, a.index.shape, 'index'),
      advanced[0]!.index.shape.slice(),
    );
  } catch {
    throw new RangeError(
      `shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((a) => formatShape(a.index.shape)).join(', ')}`,
    );
  }
  const dims = advanced.map((a) => a.dim);
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  let source = b;
  let inverse: number[] | null = null;
  let dim = dims[0]!;
  if (!adjacent) {
    // PyTorch (like NumPy) puts the broadcast index dims first when the indexed dims are apart.
    const order = [...dims, ...b.shape.map((_, i) => i).filter((i) => !dims.includes(i))];
    source = permute(b, order);
    inverse = new Array<number>(order.length);
    order.forEach((d, i) => {
      inverse![d] = i;
    });
    dim = 0;
  }
  const indices = stack(advanced.map((a) => expand(a.index, bshape)));
  const k = advanced.length;
  const shape = [...source.shape.slice(0, dim), ...bshape, ...source.shape.slice(dim + k)];
  return { source, inverse, indices, dim, shape };
}

/**
 * `x[items]` with PyTorch semantics: basic indices give a view sharing storage with `x`;
 * advanced indices give a copy. See `IndexItem` for the spelling of each element.
 * @example
 * const x = torch.tensor([[11, 12, 13], [21, 22, 23]]);
 * torch.getItem(x, [1, 2]) // tensor(23.)
 */
export function getItem(x: Tensor, items: readonly IndexItem[]): Tensor {
  checkTensor(x, 'getItem', 'input');
  return indexWith(x, items, new Map());
}

/** `getItem` with the coordinates of some masks given. */
function indexWith(x: Tensor, items: readonly IndexItem[], known: MaskCoords): Tensor {
  const p = plan(x, items, 'index', known);
  const b = basicView(x, p.steps);
  if (p.advanced.length === 0) return b;
  const a = advancedPlan(b, p.advanced);
  return run(indexOp, [a.source, a.indices], { dim: a.dim });
}

/**
 * `getItem` for every device, WebGPU included: the bool masks among `items` (PyTorch's
 * `x[mask]`) are counted asynchronously, then `x` is indexed with the values it and the masks
 * had at the call. Without bool tensor masks it resolves with what `getItem` returns.
 * @example const positive = await torch.getItemAsync(x, [x.gt(0)]); // x[x > 0]
 */
export async function getItemAsync(x: Tensor, items: readonly IndexItem[]): Promise<Tensor> {
  checkTensor(x, 'getItemAsync', 'input');
  const masks = items.filter((it): it is Tensor => it instanceof Tensor && it.dtype === 'bool');
  if (masks.length === 0) return getItem(x, items);
  // Snapshots before the first await: x (a differentiable copy) and, inside nonzeroAsync, each mask.
  const source = clone(x);
  const counted = masks.map((m) => nonzeroAsync(m.shape.length === 0 ? reshape(m, [1]) : m));
  const coords = await Promise.all(counted);
  return indexWith(source, items, new Map(masks.map((m, k) => [m, coords[k]!])));
}

/** The value to write, as a tensor of `x`'s dtype broadcast to `shape` (leading 1s dropped). */
function valueFor(
  x: Tensor,
  value: Tensor | number | boolean,
  shape: readonly number[],
  advanced: boolean,
): Tensor {
  let v = value instanceof Tensor ? cast(value, x.dtype) : scalarTensor(value, x.dtype, x.device);
  // PyTorch drops leading size-1 dims of the value that the target does not have.
  let lead = 0;
  while (v.shape.length - lead > shape.length && v.shape[lead] === 1) lead++;
  if (lead) v = reshape(v, v.shape.slice(lead));
  if (advanced) {
    try {
      return expand(v, shape);
    } catch {
      throw new RangeError(
        `shape mismatch: value tensor of shape ${formatShape(value instanceof Tensor ? value.shape : [])} cannot be broadcast to indexing result of shape ${formatShape(shape)}`,
      );
    }
  }
  return expand(v, shape);
}

/** The result of writing `value` at `items` of `x`, out of place (differentiable). */
function putOutOfPlace(
  x: Tensor,
  p: Plan,
  value: Tensor | number | boolean,
  accumulate: boolean,
): Tensor {
  const b = basicView(x, p.steps);
  let newB: Tensor;
  if (p.advanced.length === 0) {
    newB = valueFor(x, value, b.shape, false);
  } else {
    const a = advancedPlan(b, p.advanced);
    const v = valueFor(x, value, a.shape, true);
    const put = run(indexPutOp, [a.source, a.indices, v], { dim: a.dim, accumulate });
    newB = a.inverse ? permute(put, a.inverse) : put;
  }
  if (p.steps.length === 0) return newB.storage === x.storage ? clone(newB) : newB;
  const layout = basicLayout(x.shape, p.steps);
  return run(asStridedScatterOp, [x, newB], {
    shape: layout.shape.slice(),
    strides: layout.strides.slice(),
    offset: layout.offset,
  });
}

/** Writes in place; out of place plus `inplace` when autograd must see it. */
function putInPlace(
  x: Tensor,
  items: readonly IndexItem[],
  value: Tensor | number | boolean,
  accumulate: boolean,
  opName: string,
): Tensor {
  const p = plan(x, items, opName);
  const tracked =
    isGradEnabled() && (x.requiresGrad || (value instanceof Tensor && value.requiresGrad));
  if (tracked) return inplaceMaybeView(x, opName, () => putOutOfPlace(x, p, value, accumulate));
  noGrad(() => {
    // A value that shares memory with x is copied first, so the write cannot read its own output.
    const v = value instanceof Tensor && value.storage === x.storage ? clone(value) : value;
    const b = basicView(x, p.steps);
    if (p.advanced.length === 0) {
      const vals = valueFor(x, v, b.shape, false);
      // An empty region may sit past the end of the storage: nothing to write.
      if (b.numel() > 0) run(assignOp, [b, vals]);
    } else {
      const a = advancedPlan(b, p.advanced);
      const vals = valueFor(x, v, a.shape, true);
      const put = run(indexPutOp, [a.source, a.indices, vals], { dim: a.dim, accumulate });
      if (put.numel() > 0) run(assignOp, [a.source, put]);
    }
  });
  x.storage.version++;
  return x;
}

/**
 * `x[items] = value` with PyTorch semantics, in place: `value` (a number or a tensor broadcast
 * to the indexed region, cast to `x`'s dtype) is written at the positions the index selects.
 * Autograd sees the write when `x` or `value` requires grad. Returns `x`.
 * @example
 * const x = torch.zeros(2, 3);
 * torch.setItem(x, [0, '1:'], 5); // x[0, 1:] = 5
 */
export function setItem(
  x: Tensor,
  items: IndexItem | readonly IndexItem[],
  value: Tensor | number | boolean,
): Tensor {
  checkTensor(x, 'setItem', 'input');
  checkTensorOrScalar(value, 'setItem', 'value');
  return putInPlace(x, asItems(items), value, false, 'setitem');
}

function asItems(items: IndexItem | readonly IndexItem[]): readonly IndexItem[] {
  return Array.isArray(items) ? (items as readonly IndexItem[]) : [items as IndexItem];
}

/** `indexPut`'s indices are a list (of index tensors, index arrays or nulls), as in PyTorch. */
function checkIndices(indices: unknown, fn: string): void {
  if (!Array.isArray(indices)) {
    throw argTypeError(fn, 'indices', indices, 'a list of index Tensors (or arrays, or nulls)');
  }
}

/** Index tensors of `indexPut`: each addresses the next dim; `null` keeps a whole dim. */
function putItems(indices: readonly (Tensor | readonly NestedArray[] | null)[]): IndexItem[] {
  return indices.map((t) => (t === null ? ':' : (t as IndexItem)));
}

/**
 * A copy of `input` with `values` written (or, with `accumulate`, added; repeated indices then
 * sum) at the positions the index tensors select: PyTorch's `index_put`.
 * @example
 * torch.indexPut(torch.zeros(3), [torch.tensor([0, 0, 2], { dtype: 'int32' })], torch.tensor(1), true)
 * // tensor([2., 0., 1.])
 */
export function indexPut(
  input: Tensor,
  indices: readonly (Tensor | readonly NestedArray[] | null)[],
  values: Tensor | number,
  accumulate = false,
): Tensor {
  checkTensor(input, 'indexPut', 'input');
  checkIndices(indices, 'indexPut');
  checkTensorOrScalar(values, 'indexPut', 'values');
  return putOutOfPlace(input, plan(input, putItems(indices), 'index_put'), values, accumulate);
}

/**
 * In-place `indexPut`. Returns `input`.
 * @example x.indexPut_([rows, cols], torch.tensor(0))
 */
export function indexPut_(
  input: Tensor,
  indices: readonly (Tensor | readonly NestedArray[] | null)[],
  values: Tensor | number,
  accumulate = false,
): Tensor {
  checkTensor(input, 'indexPut_', 'input');
  checkIndices(indices, 'indexPut_');
  checkTensorOrScalar(values, 'indexPut_', 'values');
  return putInPlace(input, putItems(indices), values, accumulate, 'index_put_');
}

declare module '../tensor.js' {
  interface Tensor {
    /**
     * PyTorch's `x[...]`: each argument is one element of the subscript (see `IndexItem`).
     * Integers, slices, `'...'` and `null` give a view; arrays and tensors give a copy.
     * @example
     * x.get(1, 2)           // x[1, 2]: a 0-d tensor
     * x.get(':', '1:5:2')   // x[:, 1:5:2]
     * x.get('...', null)    // x[..., None]
     * x.get([0, 2])         // x[[0, 2]]
     * x.get(x.gt(0))        // x[x > 0]
     */
    get(...items: IndexItem[]): Tensor;
    /**
     * `get` for every device, WebGPU included: bool masks (PyTorch's `x[mask]`) are counted
     * asynchronously; the values are those `x` and the masks had at the call.
     * @example const positive = await x.getAsync(x.gt(0)); // x[x > 0]
     */
    getAsync(...items: IndexItem[]): Promise<Tensor>;
    /**
     * PyTorch's `x[...] = value`, in place: `items` is the subscript as an array (one element
     * per position; a single element may be given bare). Returns this tensor.
     * @example
     * x.set([0, ':'], 1)             // x[0, :] = 1
     * x.set([[0, 2]], torch.ones(3)) // x[[0, 2]] = torch.ones(3)
     * x.set(mask, 0)                 // x[mask] = 0
     */
    set(items: IndexItem | readonly IndexItem[], value: Tensor | number | boolean): this;
    /** Out-of-place `index_put`. @example x.indexPut([idx], v) */
    indexPut(
      indices: readonly (Tensor | readonly NestedArray[] | null)[],
      values: Tensor | number,
      accumulate?: boolean,
    ): Tensor;
    /** In-place `index_put_`. @example x.indexPut_([idx], v, true) */
    indexPut_(
      indices: readonly (Tensor | readonly NestedArray[] | null)[],
      values: Tensor | number,
      accumulate?: boolean,
    ): this;
  }
}

const proto = Tensor.prototype;
proto.get = function (this: Tensor, ...items: IndexItem[]) {
  return getItem(this, items);
};
proto.getAsync = function (this: Tensor, ...items: IndexItem[]) {
  return getItemAsync(this, items);
};
proto.set = function (this: Tensor, items, value) {
  checkTensorOrScalar(value, 'set', 'value');
  return setItem(this, items, value) as never;
};
proto.indexPut = function (this: Tensor, indices, values, accumulate?: boolean) {
  return indexPut(this, indices, values, accumulate);
};
proto.indexPut_ = function (this: Tensor, indices, values, accumulate?: boolean) {
  return indexPut_(this, indices, values, accumulate) as never;
};
