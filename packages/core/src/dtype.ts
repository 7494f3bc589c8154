/** The element types a tensor can hold. `int32` plays PyTorch's `int64` role (the default integer type). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that backs each dtype on hosts that read data into JavaScript. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype, in promotion order within its category. */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** The dtype of tensors made from plain JavaScript numbers, e.g. `torch.tensor([1, 2])`. */
export const DEFAULT_FLOAT_DTYPE: DType = 'float32';

/**
 * True for dtypes that can require gradients.
 * @example isFloatingPoint('float64') // true
 */
export function isFloatingPoint(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * The typed array constructor that holds elements of `dtype`.
 * @example new (torch.typedArrayFor('float64'))(3) // Float64Array [0, 0, 0]
 */
export function typedArrayFor(
  dtype: DType,
):
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
  }
}

/**
 * Size of one element in bytes.
 * @example torch.itemSize('float64') // 8
 */
export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}

/**
 * 0 for bool, 1 for integers, 2 for floating point: PyTorch's promotion categories.
 * @example torch.dtypeCategory('int32') // 1
 */
export function dtypeCategory(dtype: DType): number {
  return dtype === 'bool' ? 0 : dtype === 'int32' ? 1 : 2;
}

/**
 * The smallest dtype both `a` and `b` can be cast to without losing their category.
 * @example promoteTypes('int32', 'float32') // 'float32'
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  return DTYPES.indexOf(a) > DTYPES.indexOf(b) ? a : b;
}

/**
 * Checks a user-supplied dtype string and names the valid ones when it is wrong.
 * @example torch.checkDType('float32', 'zeros') // 'float32'; 'int64' throws a TypeError naming the valid dtypes
 */
export function checkDType(dtype: unknown, where: string): DType {
  if (typeof dtype === 'string' && (DTYPES as readonly string[]).includes(dtype)) {
    return dtype as DType;
  }
  throw new TypeError(
    `${where}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`,
  );
}

/**
 * The PyTorch name printed in reprs, e.g. `torch.float64`. int32 prints as `torch.int32`.
 * @example torch.torchDTypeName('float64') // 'torch.float64'
 */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/**
 * PyTorch's name of a dtype in "Got: Long"-style messages.
 * @example torch.scalarTypeName('int32') // 'Int'
 */
export function scalarTypeName(dtype: DType): string {
  return { float32: 'Float', float64: 'Double', int32: 'Int', bool: 'Bool' }[dtype];
}
