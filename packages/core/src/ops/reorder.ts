import { checkTensor } from '../arg-check.js';
import { getBackend } from '../backend.js';
import { scalarTensor } from '../creation.js';
import type { RegisteredOp } from '../registry.js';
import { formatShape, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { whereOp } from './compare.js';
import { op, run } from './define.js';
import { indexSelectOp } from './indexing.js';
import { cat } from './join.js';
import { narrow } from './slicing.js';
import { clone, contiguousOp, expand, reshape, view } from './view.js';

/**
 * Ops that copy elements into a new arrangement: flip, repeat, roll, and the triangular masks
 * tril/triu.
 */

/** The registered 'flip' op; call it through {@link flip}. */
export const flipOp: RegisteredOp<{ dims: number[] }> = op<{ dims: number[] }>({
  name: 'flip',
  inputs: ['input'],
  attrs: { dims: { type: 'int[]' } },
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  saveInputs: [],
  vjp: { input: ({ grad, attrs }) => run(flipOp, [grad], attrs) },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [3, 4] }], attrs: { dims: [0] } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }],
      attrs: { dims: [0, 1] },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { dims: [] } },
    { name: 'empty', inputs: [{ shape: [0, 2] }], attrs: { dims: [1] } },
  ],
  doc: 'Reverses the order of elements along the given dimensions (a copy).',
  // One index_select per flipped dim, with the indices n-1, ..., 0.
  decomposition: ([x], { dims }) => {
    let r = x!;
    for (const d of dims) {
      const dim = normalizeDim(d, r.shape.length, 'flip');
      const n = r.shape[dim]!;
      const reversed = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      const index = new Tensor(getBackend(r.device).upload(reversed, 'int32'), [n]);
      r = run(indexSelectOp, [r, index], { dim });
    }
    return dims.length === 0 ? run(contiguousOp, [r]) : r;
  },
});

/**
 * Reverses the order of elements along `dims` (a copy, as in PyTorch).
 * @example torch.arange(4).flip(0) // tensor([3, 2, 1, 0])
 */
export function flip(t: Tensor, ...dims: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'flip', 'input');
  const list =
    dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
  const norm = list.map((d) => normalizeDim(d, t.shape.length, 'flip'));
  const seen = new Set<number>();
  for (const d of norm) {
    if (seen.has(d))
      throw new RangeError(`flip: dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  // A 0-d tensor accepts dim 0 / -1 but has no dim to reverse.
  const flipped = t.shape.length === 0 ? [] : norm.sort((a, b) => a - b);
  return run(flipOp, [t], { dims: flipped });
}

/**
 * Flips the columns of a matrix (dim 1).
 * @example torch.eye(2).fliplr()
 */
export function fliplr(t: Tensor): Tensor {
  checkTensor(t, 'fliplr', 'input');
  if (t.shape.length < 2) throw new RangeError('fliplr: Input must be >= 2-d.');
  return flip(t, 1);
}

/**
 * Flips the rows (dim 0).
 * @example torch.arange(3).flipud() // tensor([2, 1, 0])
 */
export function flipud(t: Tensor): Tensor {
  checkTensor(t, 'flipud', 'input');
  if (t.shape.length < 1) throw new RangeError('flipud: Input must be >= 1-d.');
  return flip(t, 0);
}

/** `shape` with leading 1s for the extra leading repeats. */
function paddedShape(shape: readonly number[], repeats: readonly number[]): number[] {
  return [...new Array<number>(repeats.length - shape.length).fill(1), ...shape];
}

/** The registered 'repeat' op (printed `RepeatBackward0`); call it through {@link repeat}. */
export const repeatOp = op<{ repeats: number[] }>({
  name: 'repeat',
  inputs: ['input'],
  attrs: { repeats: { type: 'int[]' } },
  infer: ([x], { repeats }) => {
    const t = x!;
    if (repeats.length < t.shape.length) {
      throw new RangeError(
        'repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor',
      );
    }
    if (repeats.some((r) => !Number.isInteger(r) || r < 0)) {
      throw new RangeError(
        `repeat: Trying to create tensor with negative dimension: ${formatShape(repeats)}`,
      );
    }
    return { shape: paddedShape(t.shape, repeats).map((s, i) => s * repeats[i]!), dtype: t.dtype };
  },
  // Tiles by viewing each dim `s` as `[1, s]`, expanding to `[r, s]` and copying once.
  decomposition: ([x], { repeats }) => {
    const t = x!;
    const padded = paddedShape(t.shape, repeats);
    const r = reshape(
      expand(
        reshape(
          t,
          padded.flatMap((s) => [1, s]),
        ),
        padded.flatMap((s, i) => [repeats[i]!, s]),
      ),
      padded.map((s, i) => s * repeats[i]!),
    );
    // With every repeat 1 no copy happened yet, but repeat always returns new memory.
    return r.storage === t.storage ? clone(r) : r;
  },
  saveInputs: [],
  // The gradient sums over the tiles: view it as [r0, s0, r1, s1, ...] and reduce the r dims.
  vjp: {
    input: ({ grad, inputMetas, attrs: { repeats } }) => {
      const shape = inputMetas[0]!.shape;
      const padded = paddedShape(shape, repeats);
      const tiles = reshape(
        grad,
        padded.flatMap((s, i) => [repeats[i]!, s]),
      );
      return reshape(
        tiles.sum(
          padded.map((_, i) => 2 * i),
          false,
        ),
        shape,
      );
    },
  },
  samples: () => [
    { name: 'tile', inputs: [{ shape: [2, 3] }], attrs: { repeats: [2, 2] } },
    { name: 'new dims', inputs: [{ shape: [3] }], attrs: { repeats: [2, 1, 2] } },
    {
      name: 'transposed',
      inputs: [{ shape: [2, 3], layout: 'transposed' }],
      attrs: { repeats: [1, 3] },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { repeats: [3] } },
    { name: 'zero', inputs: [{ shape: [2] }], attrs: { repeats: [0] } },
  ],
  doc: 'Tiles a tensor: repeats it along each dimension (a copy).',
});

/**
 * Tiles the tensor `repeats[i]` times along dim i; extra leading repeats add dims.
 * @example torch.tensor([1, 2]).repeat(2, 2) // tensor([[1., 2., 1., 2.], [1., 2., 1., 2.]])
 */
export function repeat(t: Tensor, ...repeats: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'repeat', 'input');
  const list =
    repeats.length === 1 && Array.isArray(repeats[0])
      ? (repeats[0] as number[]).slice()
      : (repeats as number[]);
  return run(repeatOp, [t], { repeats: list });
}

/**
 * Shifts elements by `shifts` along `dims`, wrapping around; without dims the flattened tensor
 * is rolled and the shape restored.
 * @example torch.arange(4).roll(1) // tensor([3, 0, 1, 2])
 */
export function roll(
  t: Tensor,
  shifts: number | readonly number[],
  dims?: number | readonly number[] | null,
): Tensor {
  checkTensor(t, 'roll', 'input');
  const sh = typeof shifts === 'number' ? [shifts] : shifts.slice();
  if (!sh.every((v) => Number.isInteger(v))) {
    throw new TypeError(`roll: shifts must be integers, got ${formatShape(sh)}`);
  }
  if (dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)) {
    if (sh.length !== 1) {
      throw new RangeError(`roll: shifts and dimensions must align. shifts: ${sh.length}, dims: 0`);
    }
    return view(roll(reshape(t, [-1]), sh[0]!, 0), t.shape);
  }
  const ds = typeof dims === 'number' ? [dims] : dims.slice();
  if (sh.length !== ds.length) {
    throw new RangeError(
      `roll: shifts and dimensions must align. shifts: ${sh.length}, dims: ${ds.length}`,
    );
  }
  if (t.shape.length === 0) {
    throw new RangeError(`roll: Dimension specified as ${ds[0]} but tensor has no dimensions`);
  }
  let r = t;
  for (let i = 0; i < ds.length; i++) {
    const d = normalizeDim(ds[i]!, t.shape.length, 'roll');
    const size = t.shape[d]!;
    if (size === 0) continue;
    const s = ((sh[i]! % size) + size) % size;
    if (s === 0) continue;
    r = cat([narrow(r, d, size - s, s), narrow(r, d, 0, size - s)], d);
  }
  return r === t ? t.clone() : r;
}

/** Attributes of tril/triu: the diagonal offset (0 main, positive above, negative below). */
interface TriAttrs {
  diagonal: number;
}

function triInfer(name: string) {
  return ([x]: readonly Tensor[]) => {
    if (x!.shape.length < 2) {
      throw new RangeError(`${name}: input tensor must have at least 2 dimensions`);
    }
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

function triSamples(upper: boolean) {
  return () => [
    { name: 'main', inputs: [{ shape: [3, 4] }], attrs: { diagonal: 0 } },
    { name: 'offset', inputs: [{ shape: [4, 3] }], attrs: { diagonal: upper ? 1 : -1 } },
    {
      name: 'transposed batch',
      inputs: [{ shape: [2, 3, 3], layout: 'transposed' as const }],
      attrs: { diagonal: upper ? -1 : 1 },
    },
    { name: 'empty', inputs: [{ shape: [0, 3] }], attrs: { diagonal: 0 } },
  ];
}

/** `x` where `keep(row, col)` holds over its last two dims, 0 elsewhere (a host-built mask). */
function keepTriangle(x: Tensor, keep: (row: number, col: number) => boolean): Tensor {
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) mask[r * cols + c] = keep(r, c) ? 1 : 0;
  const maskTensor = new Tensor(getBackend(x.device).upload(mask, 'bool'), [rows, cols]);
  return run(whereOp, [maskTensor, x, scalarTensor(0, x.dtype, x.device)]);
}

/** The registered 'tril' op; call it through {@link tril}. */
export const trilOp: RegisteredOp<TriAttrs> = op<TriAttrs>({
  name: 'tril',
  inputs: ['input'],
  attrs: { diagonal: { type: 'int', default: 0 } },
  infer: triInfer('tril'),
  saveInputs: [],
  vjp: { input: ({ grad, attrs }) => run(trilOp, [grad], attrs) },
  samples: triSamples(false),
  decomposition: ([x], { diagonal }) => keepTriangle(x!, (row, col) => col - row <= diagonal),
  doc: 'Lower triangle of the last two dims (elements above `diagonal` zeroed).',
});

/** The registered 'triu' op; call it through {@link triu}. */
export const triuOp: RegisteredOp<TriAttrs> = op<TriAttrs>({
  name: 'triu',
  inputs: ['input'],
  attrs: { diagonal: { type: 'int', default: 0 } },
  infer: triInfer('triu'),
  saveInputs: [],
  vjp: { input: ({ grad, attrs }) => run(triuOp, [grad], attrs) },
  samples: triSamples(true),
  decomposition: ([x], { diagonal }) => keepTriangle(x!, (row, col) => col - row >= diagonal),
  doc: 'Upper triangle of the last two dims (elements below `diagonal` zeroed).',
});

/**
 * The lower triangle of the last two dims: elements with `col - row > diagonal` become 0.
 * @example torch.ones(3, 3).tril() // ones on and below the diagonal
 */
export function tril(t: Tensor, diagonal = 0): Tensor {
  checkTensor(t, 'tril', 'input');
  return run(trilOp, [t], { diagonal: checkDiagonal('tril', diagonal) });
}

function checkDiagonal(opName: string, diagonal: number): number {
  if (!Number.isInteger(diagonal)) {
    throw new TypeError(
      `${opName}(): argument 'diagonal' (position 1) must be an integer, not ${diagonal}`,
    );
  }
  return diagonal;
}

/**
 * The upper triangle of the last two dims: elements with `col - row < diagonal` become 0.
 * @example torch.ones(3, 3).triu(1) // ones strictly above the diagonal
 */
export function triu(t: Tensor, diagonal = 0): Tensor {
  checkTensor(t, 'triu', 'input');
  return run(triuOp, [t], { diagonal: checkDiagonal('triu', diagonal) });
}

declare module '../tensor.js' {
  interface Tensor {
    /** Reverses along dims (a copy). @example x.flip(0) */
    flip(...dims: (number | readonly number[])[]): Tensor;
    /** Flips dim 1. @example m.fliplr() */
    fliplr(): Tensor;
    /** Flips dim 0. @example m.flipud() */
    flipud(): Tensor;
    /** Tiles along each dim. @example x.repeat(2, 1) */
    repeat(...repeats: (number | readonly number[])[]): Tensor;
    /** Shifts elements cyclically. @example x.roll(1, 0) */
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    /** Lower triangle. @example m.tril() */
    tril(diagonal?: number): Tensor;
    /** Upper triangle. @example m.triu(1) */
    triu(diagonal?: number): Tensor;
  }
}

const proto = Tensor.prototype;
proto.flip = function (this: Tensor, ...dims) {
  return flip(this, ...dims);
};
proto.fliplr = function (this: Tensor) {
  return fliplr(this);
};
proto.flipud = function (this: Tensor) {
  return flipud(this);
};
proto.repeat = function (this: Tensor, ...repeats) {
  return repeat(this, ...repeats);
};
proto.roll = function (this: Tensor, shifts, dims) {
  return roll(this, shifts, dims);
};
proto.tril = function (this: Tensor, diagonal?: number) {
  return tril(this, diagonal);
};
proto.triu = function (this: Tensor, diagonal?: number) {
  return triu(this, diagonal);
};
