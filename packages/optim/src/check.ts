/**
 * Throws PyTorch's `Invalid <what>: <value>` error unless `value` is a number `>= 0` (and, with
 * `below`, `< below`).
 * @example checkRange(lr, 'learning rate') // throws RangeError('Invalid learning rate: -1') for -1
 */
export function checkRange(value: unknown, what: string, below?: number): void {
  if (typeof value !== 'number' || !(value >= 0) || (below !== undefined && !(value < below))) {
    throw new RangeError(`Invalid ${what}: ${formatValue(value)}`);
  }
}

/**
 * A hyperparameter value as error messages and `toString()` print it.
 * @example formatValue([0.9, 0.999]) // '[0.9, 0.999]'
 */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/**
 * The name of a value's type for error messages (a class name for objects).
 * @example typeName(3) // 'number'; typeName(new Map()) // 'Map'
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'Object';
}
