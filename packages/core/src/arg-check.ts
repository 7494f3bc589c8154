import { Tensor } from './tensor.js';

/**
 * Argument-type checks shared by every public entry point that takes tensors (core ops, op
 * packages, plugins): one wording, PyTorch's (`matmul(): argument 'other' (position 1) must be
 * Tensor, not list`), with a hint where `torch.tensor(...)` would have made the value a tensor.
 */

/**
 * How a type error names a value that is not what was expected: `'an array'`, `'null'`,
 * `'undefined'`, `'a number'`, `'a Float32Array'`, `'a Map'`, `'an object'`...
 * @example torch.describeValue([1, 2]) // 'an array'
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Tensor) return 'a Tensor';
  const kind = typeof value;
  if (kind !== 'object') return kind === 'undefined' ? kind : `${article(kind)} ${kind}`;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor?.name === 'string' ? ctor.name : '';
  return name && name !== 'Object' ? `${article(name)} ${name}` : 'an object';
}

function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? 'an' : 'a';
}

/** Values `torch.tensor` accepts: naming it tells the caller how to get a tensor from them. */
function wrapHint(value: unknown): string {
  const convertible =
    Array.isArray(value) ||
    ArrayBuffer.isView(value) ||
    typeof value === 'number' ||
    typeof value === 'boolean';
  return convertible ? ' (wrap it with torch.tensor(...))' : '';
}

/**
 * The TypeError for an argument of the wrong type, worded as every op words it.
 * @example throw torch.argTypeError('matmul', 'other', [1, 2]) // matmul(): argument 'other' must be a Tensor, not an array (wrap it with torch.tensor(...))
 */
export function argTypeError(
  fn: string,
  arg: string,
  value: unknown,
  expected = 'a Tensor',
): TypeError {
  return new TypeError(
    `${fn}(): argument '${arg}' must be ${expected}, not ${describeValue(value)}${wrapHint(value)}`,
  );
}

/**
 * Throws a TypeError naming `fn` and `arg` unless `value` is a Tensor. Call it before reading
 * `.shape` or `.dtype`, so a plain array gets this message rather than a crash further in.
 * @example torch.checkTensor(other, 'matmul', 'other') // matmul(): argument 'other' must be a Tensor, not an array (wrap it with torch.tensor(...))
 */
export function checkTensor(value: unknown, fn: string, arg: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw argTypeError(fn, arg, value);
}

/**
 * `checkTensor` for an argument that may be left out (`null` or `undefined`), like a bias.
 * @example torch.checkOptionalTensor(bias, 'linear', 'bias')
 */
export function checkOptionalTensor(
  value: unknown,
  fn: string,
  arg: string,
): asserts value is Tensor | null | undefined {
  if (value !== null && value !== undefined && !(value instanceof Tensor)) {
    throw argTypeError(fn, arg, value, 'a Tensor or null');
  }
}

/**
 * `checkTensor` for operands that may also be a JS number or boolean (`add`, `where`, `clamp`...).
 * @example torch.checkTensorOrScalar(other, 'add', 'other')
 */
export function checkTensorOrScalar(
  value: unknown,
  fn: string,
  arg: string,
): asserts value is Tensor | number | boolean {
  const kind = typeof value;
  if (!(value instanceof Tensor) && kind !== 'number' && kind !== 'boolean') {
    throw argTypeError(fn, arg, value, 'a Tensor or a number');
  }
}

/**
 * Checks a non-empty list of tensors (`cat`, `stack`, autograd's `inputs`), naming the bad element.
 * @example torch.checkTensorList([a, b], 'cat', 'tensors')
 */
export function checkTensorList(
  value: unknown,
  fn: string,
  arg: string,
): asserts value is readonly Tensor[] {
  if (!Array.isArray(value)) throw argTypeError(fn, arg, value, 'a list of Tensors');
  for (let i = 0; i < value.length; i++) {
    if (!(value[i] instanceof Tensor)) {
      const v = value[i];
      throw new TypeError(
        `${fn}(): argument '${arg}' (element ${i}) must be a Tensor, not ${describeValue(v)}${wrapHint(v)}`,
      );
    }
  }
}

/** A number, boolean or (typed) array: what `torch.tensor` would turn into a tensor. */
function isData(v: unknown): boolean {
  return (
    typeof v === 'number' || typeof v === 'boolean' || Array.isArray(v) || ArrayBuffer.isView(v)
  );
}

/**
 * Checks an argument that is one tensor or a list of them (autograd's `outputs`, `inputs`). A
 * list of only numbers, booleans and arrays is taken for data meant as a tensor: it gets the
 * `not an array` message rather than one about its first element.
 * @example torch.checkTensorOrList(inputs, 'grad', 'inputs')
 */
export function checkTensorOrList(
  value: unknown,
  fn: string,
  arg: string,
): asserts value is Tensor | readonly Tensor[] {
  if (value instanceof Tensor) return;
  const expected = 'a Tensor or a list of Tensors';
  if (!Array.isArray(value)) throw argTypeError(fn, arg, value, expected);
  if (value.length > 0 && value.every(isData)) throw argTypeError(fn, arg, value, expected);
  checkTensorList(value, fn, arg);
}
