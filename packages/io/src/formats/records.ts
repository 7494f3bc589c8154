/**
 * Records of named tensors, as the archive formats (npz, safetensors) read and write them.
 */
import { Tensor } from '@autodag/core';

/**
 * Sets `obj[key]` as an own enumerable property, even for keys such as `__proto__` that plain
 * assignment would treat specially (names come from files).
 * @example setOwn(out, '__proto__', t) // out has an own entry named '__proto__'
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The entries of `tensors` once it is checked to be an object of named Tensors; a problem is
 * reported through the format's `fail`. `checkName` adds a format's own rule on names, checked
 * for each entry after its value.
 * @example const entries = tensorEntries(tensors, fail) // [['weight', w], ['bias', b]]
 */
export function tensorEntries(
  tensors: Record<string, Tensor>,
  fail: (message: string) => never,
  checkName?: (name: string) => void,
): [string, Tensor][] {
  if (tensors === null || typeof tensors !== 'object')
    fail(`serialize expects an object of named tensors, got ${tensors}`);
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor))
      fail(`"${name}" is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    checkName?.(name);
  }
  return entries;
}
