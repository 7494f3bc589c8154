import { fromTypedArray, stack, Tensor, type TypedArray, tensor } from '@autodag/core';

/** The typed arrays `defaultCollate` stacks (integer ones become int32, see there). */
type NumericArray =
  | TypedArray
  | Int8Array
  | Int16Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

/**
 * The type `defaultCollate` makes of a list of `T`: tensors, numbers and booleans become one
 * tensor, strings a string array, arrays and objects are collated field by field.
 * @example type B = torch.io.Collated<[torch.Tensor, number]> // [Tensor, Tensor]
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean | NumericArray
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Tensor) return 'Tensor';
  if (ArrayBuffer.isView(v)) return 'TypedArray';
  return typeof v;
}

/**
 * Merges a list of samples into a batch, as PyTorch's `default_collate`: tensors are stacked
 * along a new first dimension; numbers become a 1-d tensor (int32 when every number is an
 * integer in int32 range, the role PyTorch's int64 plays for labels, else float64 as PyTorch's
 * float collation); booleans a bool tensor; typed arrays are stacked as tensors (float arrays keep
 * their dtype, integer arrays become int32 as numbers do); strings stay a
 * string array; arrays (tuples) and plain objects are collated position by position / key by key.
 * Integral numbers always give int32, so wrap float targets in tensors to pin their dtype.
 * @example
 * torch.io.defaultCollate([[torch.zeros(2), 1], [torch.ones(2), 0]])
 * // [tensor of shape [2, 2], tensor([1, 0], dtype=torch.int32)]
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch as readonly unknown[], 'batch') as Collated<T>;
}

function collate(batch: readonly unknown[], where: string): unknown {
  if (batch.length === 0) {
    throw new RangeError('default_collate: the batch is empty');
  }
  const elem = batch[0];
  const kind = kindOf(elem);
  for (let i = 1; i < batch.length; i++) {
    if (kindOf(batch[i]) !== kind) {
      throw new TypeError(
        `default_collate: ${where} mixes element types (${kind} at 0, ${kindOf(batch[i])} at ${i})`,
      );
    }
  }
  switch (kind) {
    case 'Tensor':
      return stack(batch as Tensor[]);
    case 'number':
      return collateNumbers(batch as number[]);
    case 'boolean':
      return tensor(batch as boolean[]);
    case 'string':
      return batch.slice();
    case 'TypedArray':
      return collateTypedArrays(batch as NumericArray[]);
    case 'array': {
      const n = (elem as unknown[]).length;
      batch.forEach((b, i) => {
        if ((b as unknown[]).length !== n) {
          throw new RangeError(
            `default_collate: each element in list of batch should be of equal size (${where}: length ${n} at 0, ${(b as unknown[]).length} at ${i})`,
          );
        }
      });
      const out = new Array(n);
      for (let k = 0; k < n; k++) {
        out[k] = collate(
          batch.map((b) => (b as unknown[])[k]),
          `${where}[${k}]`,
        );
      }
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(elem as object)) {
        out[key] = collate(
          batch.map((b) => {
            if (!(key in (b as object))) {
              throw new RangeError(`default_collate: key '${key}' missing from some samples`);
            }
            return (b as Record<string, unknown>)[key];
          }),
          `${where}.${key}`,
        );
      }
      return out;
    }
    default:
      throw new TypeError(
        `default_collate: batch must contain tensors, numbers, booleans, strings, typed arrays, arrays or objects; found ${kind}`,
      );
  }
}

/**
 * Stacks typed arrays, keeping their values: float arrays keep their dtype; integer arrays (uint8
 * pixels included, which would otherwise read as bool) give int32 rows, or float64 rows when a
 * value lies outside int32's range, as `collateNumbers` decides for numbers.
 */
function collateTypedArrays(arrays: readonly NumericArray[]): Tensor {
  const isFloat = (a: NumericArray) => a instanceof Float32Array || a instanceof Float64Array;
  if (arrays.every(isFloat))
    return stack(
      arrays.map((a) => fromTypedArray(a.slice() as Float32Array | Float64Array, [a.length])),
    );
  const integral = arrays.every((a) => !isFloat(a) && isInt32(a));
  return stack(
    arrays.map((a) =>
      integral
        ? fromTypedArray(Int32Array.from(a), [a.length], { dtype: 'int32' })
        : fromTypedArray(Float64Array.from(a), [a.length], { dtype: 'float64' }),
    ),
  );
}

function isInt32(values: Iterable<number>): boolean {
  for (const v of values) {
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) return false;
  }
  return true;
}

function collateNumbers(values: readonly number[]): Tensor {
  return isInt32(values)
    ? fromTypedArray(Int32Array.from(values), [values.length], { dtype: 'int32' })
    : fromTypedArray(Float64Array.from(values), [values.length], { dtype: 'float64' });
}
