import { AllocationError } from '../alloc.js';
import { checkTensor } from '../arg-check.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { op, run } from './define.js';
import { expand, reshape, t, transpose, unsqueeze } from './view.js';

/**
 * Matrix products. `mm` and `bmm` are the primitives backends implement (they receive strided
 * inputs, so transposed operands need no copy); everything else is composed from them.
 */

function checkMatmulDType(name: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${name}: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`,
    );
  }
  if (a.dtype === 'bool') throw new TypeError(`${name}: not implemented for 'Bool'`);
}

/** True for a matrix stored column by column (unit stride down the rows), like a transposed view. */
function isColumnMajor(t: { readonly strides?: readonly number[] }): boolean {
  return t.strides !== undefined && t.strides[0] === 1 && t.strides[1] !== 1;
}

/** The registered 'mm' op; call it through {@link mm} or {@link matmul}. */
export const mmOp = op({
  name: 'mm',
  inputs: ['input', 'mat2'],
  saveInputsFor: { input: [1], mat2: [0] },
  infer: ([a, b]) => {
    if (a!.shape.length !== 2 || b!.shape.length !== 2) {
      throw new RangeError(
        `mm: expected 2-D tensors, got ${a!.shape.length}-D and ${b!.shape.length}-D`,
      );
    }
    if (a!.shape[1] !== b!.shape[0]) {
      throw new RangeError(
        `mm: mat1 and mat2 shapes cannot be multiplied (${a!.shape[0]}x${a!.shape[1]} and ${b!.shape[0]}x${b!.shape[1]})`,
      );
    }
    checkMatmulDType('mm', a!, b!);
    return { shape: [a!.shape[0]!, b!.shape[1]!], dtype: a!.dtype };
  },
  vjp: {
    // A column-major operand (e.g. a weight used as `w.t()`) gets its gradient in the same
    // layout, so the gradient reaching the weight is contiguous (as PyTorch's mm backward does).
    input: ({ grad, inputs, inputMetas }) =>
      isColumnMajor(inputMetas[0]!)
        ? transpose(mm(inputs[1]!, transpose(grad, 0, 1)), 0, 1)
        : mm(grad, transpose(inputs[1]!, 0, 1)),
    mat2: ({ grad, inputs, inputMetas }) =>
      isColumnMajor(inputMetas[1]!)
        ? transpose(mm(transpose(grad, 0, 1), inputs[0]!), 0, 1)
        : mm(transpose(inputs[0]!, 0, 1), grad),
  },
  samples: () => [
    { name: 'rectangular', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }] },
    {
      name: 'transposed operands',
      inputs: [
        { shape: [2, 3], layout: 'transposed' },
        { shape: [3, 4], layout: 'transposed' },
      ],
    },
    {
      name: 'float64 strided',
      inputs: [
        { shape: [4, 3], dtype: 'float64', layout: 'strided' },
        { shape: [3, 5], dtype: 'float64' },
      ],
    },
    {
      name: 'int32',
      inputs: [
        { shape: [2, 3], dtype: 'int32' },
        { shape: [3, 2], dtype: 'int32' },
      ],
    },
    { name: 'inner size 1', inputs: [{ shape: [3, 1] }, { shape: [1, 2] }] },
  ],
  doc: 'Matrix product of two 2-D tensors.',
});

/** The registered 'bmm' op; call it through {@link bmm} or {@link matmul}. */
export const bmmOp = op({
  name: 'bmm',
  inputs: ['input', 'mat2'],
  saveInputsFor: { input: [1], mat2: [0] },
  infer: ([a, b]) => {
    if (a!.shape.length !== 3 || b!.shape.length !== 3) {
      throw new RangeError(
        `bmm: expected 3-D tensors, got ${a!.shape.length}-D and ${b!.shape.length}-D`,
      );
    }
    if (a!.shape[0] !== b!.shape[0] || a!.shape[2] !== b!.shape[1]) {
      throw new RangeError(
        `bmm: batch1 ${formatShape(a!.shape)} and batch2 ${formatShape(b!.shape)} cannot be multiplied`,
      );
    }
    checkMatmulDType('bmm', a!, b!);
    return { shape: [a!.shape[0]!, a!.shape[1]!, b!.shape[2]!], dtype: a!.dtype };
  },
  vjp: {
    input: ({ grad, inputs }) => bmm(grad, transpose(inputs[1]!, 1, 2)),
    mat2: ({ grad, inputs }) => bmm(transpose(inputs[0]!, 1, 2), grad),
  },
  samples: () => [
    { name: 'batch 2', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }] },
    {
      name: 'transposed operands',
      inputs: [
        { shape: [3, 2, 4], layout: 'transposed' },
        { shape: [3, 4, 3], layout: 'strided' },
      ],
    },
    {
      name: 'float64',
      inputs: [
        { shape: [1, 2, 3], dtype: 'float64' },
        { shape: [1, 3, 2], dtype: 'float64' },
      ],
    },
  ],
  doc: 'Batched matrix product of two 3-D tensors.',
});

/**
 * Matrix product of 2-D tensors.
 * @example torch.mm(a, b)
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'mm', 'input');
  checkTensor(b, 'mm', 'mat2');
  return run(mmOp, [a, b]);
}

/**
 * Batched matrix product: (b×n×k) @ (b×k×m).
 * @example torch.bmm(a, b)
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'bmm', 'input');
  checkTensor(b, 'bmm', 'mat2');
  return run(bmmOp, [a, b]);
}

/**
 * Matrix-vector product.
 * @example m.mv(x) // tensor([90., 40., 10.]) for the seed's m and x
 */
export function mv(m: Tensor, v: Tensor): Tensor {
  checkTensor(m, 'mv', 'input');
  checkTensor(v, 'mv', 'vec');
  return run(mvOp, [m, v]);
}

/**
 * The registered 'mv' op (printed `MvBackward0`); call it through {@link mv}. Backends without
 * a dedicated kernel run its decomposition through `mm`.
 */
export const mvOp = op({
  name: 'mv',
  inputs: ['input', 'vec'],
  saveInputsFor: { input: [1], vec: [0] },
  infer: ([m, v]) => {
    if (m!.shape.length !== 2 || v!.shape.length !== 1) {
      throw new RangeError(
        `mv: expected a 2-D matrix and a 1-D vector, got ${formatShape(m!.shape)} and ${formatShape(v!.shape)}`,
      );
    }
    if (m!.shape[1] !== v!.shape[0]) {
      throw new RangeError(
        `mv: size mismatch, got input (${m!.shape[0]}x${m!.shape[1]}), vec (${v!.shape[0]})`,
      );
    }
    checkMatmulDType('mv', m!, v!);
    return { shape: [m!.shape[0]!], dtype: m!.dtype };
  },
  decomposition: ([m, v]) => {
    return reshape(mm(m!, unsqueeze(v!, 1)), [m!.shape[0]!]);
  },
  vjp: {
    input: ({ grad, inputs }) => outer(grad, inputs[1]!),
    vec: ({ grad, inputs }) => mv(t(inputs[0]!), grad),
  },
  samples: () => [
    { name: 'square', inputs: [{ shape: [3, 3] }, { shape: [3] }] },
    { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }, { shape: [3] }] },
    { name: 'empty', inputs: [{ shape: [0, 2] }, { shape: [2] }] },
  ],
  doc: 'Matrix-vector product.',
});

/**
 * Inner product of two 1-D tensors of the same size.
 * @example torch.dot(u, v)
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'dot', 'input');
  checkTensor(b, 'dot', 'tensor');
  return run(dotOp, [a, b]);
}

/** The registered 'dot' op (printed `DotBackward0`); call it through {@link dot}. */
export const dotOp = op({
  name: 'dot',
  inputs: ['input', 'other'],
  saveInputsFor: { input: [1], other: [0] },
  infer: ([a, b]) => {
    if (a!.shape.length !== 1 || b!.shape.length !== 1) {
      throw new RangeError(
        `dot: 1D tensors expected, but got ${a!.shape.length}D and ${b!.shape.length}D tensors`,
      );
    }
    if (a!.shape[0] !== b!.shape[0]) {
      throw new RangeError(
        `dot: inconsistent tensor size, expected tensor [${a!.shape[0]}] and src [${b!.shape[0]}] to have the same number of elements, but got ${a!.shape[0]} and ${b!.shape[0]} elements respectively`,
      );
    }
    checkMatmulDType('dot', a!, b!);
    return { shape: [], dtype: a!.dtype };
  },
  decomposition: ([a, b]) => {
    return reshape(mm(unsqueeze(a!, 0), unsqueeze(b!, 1)), []);
  },
  vjp: {
    input: ({ grad, inputs }) => inputs[1]!.mul(grad),
    other: ({ grad, inputs }) => inputs[0]!.mul(grad),
  },
  samples: () => [
    { name: 'vectors', inputs: [{ shape: [5] }, { shape: [5] }] },
    { name: 'empty', inputs: [{ shape: [0] }, { shape: [0] }] },
  ],
  doc: 'Inner product of two vectors.',
});

/**
 * Outer product of two vectors.
 * @example torch.outer(torch.tensor([1, 2]), torch.tensor([3, 4]))
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'outer', 'input');
  checkTensor(b, 'outer', 'vec2');
  if (a.shape.length !== 1 || b.shape.length !== 1) {
    throw new RangeError(
      `outer: expected 1-D tensors, got ${a.shape.length}-D and ${b.shape.length}-D`,
    );
  }
  try {
    return mm(unsqueeze(a, 1), unsqueeze(b, 0));
  } catch (e) {
    throw AllocationError.as(e, 'outer');
  }
}

/**
 * PyTorch's `@`: dot for 1-D·1-D, mv, mm, and batched products with broadcast batch dims.
 * @example w1.matmul(x) // the seed's `w1 @ x`
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'input');
  checkTensor(b, 'matmul', 'other');
  try {
    return matmulOf(a, b);
  } catch (e) {
    throw AllocationError.as(e, 'matmul');
  }
}

/** `matmul` once its arguments are known to be tensors: dispatches on their ranks. */
function matmulOf(a: Tensor, b: Tensor): Tensor {
  const da = a.shape.length;
  const db = b.shape.length;
  if (da === 0 || db === 0) {
    throw new RangeError(
      `matmul: both arguments need at least 1 dimension, but got ${da}D and ${db}D`,
    );
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 1 && db === 2) return reshape(mm(unsqueeze(a, 0), b), [b.shape[1]!]);
  if (da === 2 && db === 2) return mm(a, b);
  // Batched: promote vectors to matrices, broadcast the batch dims, flatten them into one.
  const a2 = da === 1 ? unsqueeze(a, 0) : a;
  const b2 = db === 1 ? unsqueeze(b, 1) : b;
  const [n, k] = a2.shape.slice(-2) as [number, number];
  const [k2, m] = b2.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new RangeError(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} != ${k2})`,
    );
  }
  const batchA = a2.shape.slice(0, -2);
  const batchB = b2.shape.slice(0, -2);
  const nb = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < nb; i++) {
    const x = batchA[i - (nb - batchA.length)] ?? 1;
    const y = batchB[i - (nb - batchB.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RangeError(
        `matmul: batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast`,
      );
    }
    batch.push(Math.max(x, y));
  }
  const count = batch.reduce((p, s) => p * s, 1);
  const A = reshape(expand(a2, [...batch, n, k]), [count, n, k]);
  const B = reshape(expand(b2, [...batch, k, m]), [count, k, m]);
  let out = reshape(bmm(A, B), [...batch, n, m]);
  if (da === 1) out = reshape(out, [...batch, m]);
  if (db === 1) out = reshape(out, [...batch, ...(da === 1 ? [] : [n])]);
  return out;
}

declare module '../tensor.js' {
  interface Tensor {
    /** PyTorch's `@`. @example w.matmul(x) */
    matmul(other: Tensor): Tensor;
    /** 2-D matrix product. @example a.mm(b) */
    mm(other: Tensor): Tensor;
    /** Batched matrix product. @example a.bmm(b) */
    bmm(other: Tensor): Tensor;
    /** Matrix-vector product. @example m.mv(x) */
    mv(vec: Tensor): Tensor;
    /** Dot product of vectors. @example u.dot(v) */
    dot(other: Tensor): Tensor;
    /** Outer product of vectors. @example u.outer(v) */
    outer(other: Tensor): Tensor;
  }
}

Tensor.prototype.matmul = function (this: Tensor, other: Tensor) {
  return matmul(this, other);
};
Tensor.prototype.mm = function (this: Tensor, other: Tensor) {
  return mm(this, other);
};
Tensor.prototype.bmm = function (this: Tensor, other: Tensor) {
  return bmm(this, other);
};
Tensor.prototype.mv = function (this: Tensor, vec: Tensor) {
  return mv(this, vec);
};
Tensor.prototype.dot = function (this: Tensor, other: Tensor) {
  return dot(this, other);
};
Tensor.prototype.outer = function (this: Tensor, other: Tensor) {
  return outer(this, other);
};
