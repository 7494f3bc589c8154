/** Shapes, strides and broadcasting: pure helpers shared by core, backends and op packages. */

/** A tensor's extent along each dimension. */
export type Shape = readonly number[];

/**
 * Number of elements of a tensor with this shape (1 for a 0-d tensor).
 * @example torch.numelOf([2, 3, 4]) // 24
 */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/**
 * Row-major (C order) strides for `shape`, in elements.
 * @example torch.contiguousStrides([2, 3, 4]) // [12, 4, 1]
 */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * True when a tensor with these strides is laid out densely in row-major order.
 * @example torch.isContiguous([2, 3], [1, 2]) // false (a transposed layout)
 */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size === 1) continue;
    if (strides[i] !== expected) return size === 0;
    expected *= size;
  }
  return true;
}

/**
 * Equality of two shapes.
 * @example torch.shapesEqual([2, 3], [2, 3]) // true
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `[2, 5]` → `"[2, 5]"`, as PyTorch prints shapes in errors.
 * @example torch.formatShape([2, 5]) // '[2, 5]'
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The shape both operands broadcast to, following NumPy/PyTorch rules.
 * @example broadcastShapes([3, 1], [4]) // [3, 4]
 */
export function broadcastShapes(a: Shape, b: Shape, opName = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  // From the trailing dim, so a mismatch is reported at the dim PyTorch names.
  for (let i = n - 1; i >= 0; i--) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RangeError(
        `${opName}: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i} (shapes ${formatShape(a)} and ${formatShape(b)})`,
      );
    }
  }
  return out;
}

/**
 * Strides that read a tensor of `shape`/`strides` as if it had the broadcast shape `target` (0 on broadcast dims).
 * @example torch.broadcastStrides([3, 1], [1, 1], [2, 3, 4]) // [0, 1, 0]
 */
export function broadcastStrides(
  shape: Shape,
  strides: readonly number[],
  target: Shape,
): number[] {
  const offset = target.length - shape.length;
  const out = new Array<number>(target.length);
  for (let i = 0; i < target.length; i++) {
    const j = i - offset;
    out[i] = j < 0 || (shape[j] === 1 && target[i] !== 1) ? 0 : strides[j]!;
  }
  return out;
}

/**
 * Turns a possibly negative dim into an index in `[0, ndim)`, with PyTorch's error otherwise.
 * 0-d tensors accept dims -1 and 0, as in PyTorch.
 * @example torch.normalizeDim(-1, 3, 'sum') // 2
 */
export function normalizeDim(dim: number, ndim: number, opName: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${opName}: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * Normalises a list of dims, rejecting repeats.
 * @example torch.normalizeDims([0, -1], 3, 'sum') // [0, 2]
 */
export function normalizeDims(dims: readonly number[], ndim: number, opName: string): number[] {
  const out = dims.map((d) => normalizeDim(d, ndim, opName));
  if (new Set(out).size !== out.length) {
    throw new RangeError(
      `${opName}: dim ${dims.join(', ')} appears multiple times in the list of dims`,
    );
  }
  return out;
}

/**
 * Checks that every entry of a user-supplied shape is a non-negative integer.
 * @example torch.checkShape([2, 3], 'zeros') // [2, 3]; [2, -1] throws a RangeError
 */
export function checkShape(shape: readonly number[], opName: string): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(
      `${opName}: size must be an array of integers, got ${shape === null ? 'null' : typeof shape}`,
    );
  }
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(
        `${opName}: invalid shape ${formatShape(shape)}: sizes must be non-negative integers (got ${s})`,
      );
    }
  }
  return shape.slice();
}
