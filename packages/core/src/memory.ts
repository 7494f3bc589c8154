import { checkTensor } from './arg-check.js';
import { functionNodesRecorded, getAutograd, hasAutograd } from './grad-mode.js';
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

/**
 * Runs `fn` and returns, with its result, every tensor it created that no inner `tidy` disposed.
 * Nothing is disposed: the caller decides, knowing which of them it handed out. The autograd
 * engine frees the gradients of a backward pass this way.
 * @example const { result, created } = collectCreated(() => x.mul(2).add(1)); // created: both
 */
export function collectCreated<T>(fn: () => T): { result: T; created: Tensor[] } {
  const scope: Tensor[] = [];
  scopes.push(scope);
  try {
    return { result: fn(), created: scope };
  } finally {
    scopes.pop();
  }
}

/**
 * Runs `fn` without recording the tensors it creates in the enclosing scopes, so neither `tidy`
 * nor `collectCreated` frees them: for user code (hooks, custom backward functions) called from
 * inside a scope, whose tensors may be kept anywhere.
 * @example untracked(() => hook(grad))
 */
export function untracked<T>(fn: () => T): T {
  scopes.push([]);
  try {
    return fn();
  } finally {
    scopes.pop();
  }
}

/**
 * Runs `fn` and frees the tensors it created and did not return: at once those no autograd node
 * saved, the others when backward releases the nodes that saved them. Unlike `tidy`, it may wrap
 * code that records a graph. For library code whose temporaries nobody else can reach (composite
 * ops run under it; functional wrappers wrap their default arguments in it). A call that records
 * a hand-written backward (`recordFunction`, whose closure may hold anything) frees nothing.
 * @example const y = freeTemporaries(() => F.layerNorm(x, [4], torch.ones(4), torch.zeros(4)));
 */
export function freeTemporaries<T extends Tensor | Tensor[]>(fn: () => T): T {
  const functionNodes = functionNodesRecorded();
  const { result, created } = collectCreated(fn);
  const outputs = Array.isArray(result) ? result : [result];
  if (functionNodesRecorded() !== functionNodes) {
    for (const t of created) trackTensor(t);
    return result;
  }
  const survivors = new Set<Tensor>();
  for (const o of outputs) {
    survivors.add(o);
    if (o.base) survivors.add(o.base);
  }
  const engine = hasAutograd() ? getAutograd() : null;
  for (const t of created) {
    if (survivors.has(t) || t.kept || t.gradOf?.grad === t) trackTensor(t);
    else if (engine?.releaseWhenUnsaved) engine.releaseWhenUnsaved(t);
    else t.dispose();
  }
  return result;
}
