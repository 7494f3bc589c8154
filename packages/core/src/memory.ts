import { checkTensor } from './arg-check.js';
import type { Tensor } from './tensor.js';

/** Tensors created in each open `tidy` scope, innermost last. */
const scopes: Tensor[][] = [];

/**
 * Records a new tensor in the innermost `tidy` scope, if any.
 * @example torch.trackTensor(t) // called by the Tensor constructor; `torch.tidy` disposes t unless returned
 */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1]!.push(t);
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ((value as { storage?: unknown }).storage !== undefined && 'shape' in value) {
    into.add(value as Tensor);
    return;
  }
  const items = Array.isArray(value)
    ? value
    : value instanceof Map
      ? [...value.values()]
      : Object.values(value);
  for (const item of items) collectTensors(item, into, depth + 1);
}

/**
 * Runs `fn` and disposes every tensor it created, except those it returns (also inside arrays
 * and objects), those passed to `keep`, and those still held as some tensor's `.grad`. Device memory is then freed deterministically.
 * @example
 * const y = torch.tidy(() => x.mul(2).add(1)); // the intermediate x.mul(2) is freed
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) if (!t.kept) t.dispose();
    throw error;
  }
  scopes.pop();
  const returned = new Set<Tensor>();
  collectTensors(result, returned);
  for (const t of scope) {
    if (returned.has(t) || t.kept || t.gradOf?.grad === t) {
      // Survivors belong to the enclosing scope, if any.
      trackTensor(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

/**
 * Exempts a tensor from disposal by the enclosing `tidy` scopes (like tfjs's `keep`).
 * @example torch.tidy(() => { cache = torch.keep(x.mul(2)); })
 */
export function keep<T extends Tensor>(t: T): T {
  checkTensor(t, 'keep', 'input');
  t.kept = true;
  return t;
}
