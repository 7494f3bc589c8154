import { AllocationError, allocateStorage } from './alloc.js';
import { checkTensor, describeValue } from './arg-check.js';
import type { Backend } from './backend.js';
import { getAutograd, hasAutograd, isGradEnabled, noGrad } from './grad-mode.js';
import { freeTemporaries, tidy } from './memory.js';
import type { AttrSpec, RegisteredOp, TensorMeta, ViewLayout } from './registry.js';
import { argName, checkArity, getOp } from './registry.js';
import { formatShape } from './shape.js';
import { Tensor } from './tensor.js';

function describe(t: Tensor): string {
  return `${formatShape(t.shape)} ${t.dtype} on ${t.device}`;
}

/** Every argument must be a tensor before any rule (composite, infer, view) reads it. */
function checkArgs(op: RegisteredOp, args: readonly Tensor[]): void {
  if (!Array.isArray(args)) {
    throw new TypeError(
      `${op.def.name}(): expected an array of tensor arguments, not ${describeValue(args)}`,
    );
  }
  for (let i = 0; i < args.length; i++) checkTensor(args[i], op.def.name, argName(op, i));
}

/** The one backend every argument lives on; a clear error when they differ or one was disposed. */
function commonBackend(op: RegisteredOp, args: readonly Tensor[]): Backend {
  if (args.length === 0) throw new Error(`${op.def.name}: called with no tensor arguments`);
  const backend = args[0]!.storage.backend;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.disposed || a.storage.disposed) {
      throw new Error(
        `${op.def.name}: argument '${argName(op, i)}' (${describe(a)}) has been disposed`,
      );
    }
    if (a.storage.backend !== backend) {
      throw new Error(
        `${op.def.name}: expected all tensors to be on the same device, but found at least two devices, ${backend.name} and ${a.device} (arguments: ${args.map(describe).join(', ')})`,
      );
    }
  }
  return backend;
}

/** A view must stay inside its storage, whatever op (core or plugin) computed its layout. */
function checkViewBounds(op: RegisteredOp, layout: ViewLayout, size: number): void {
  let lo = layout.offset;
  let hi = layout.offset;
  for (let d = 0; d < layout.shape.length; d++) {
    const extent = layout.shape[d]! - 1;
    if (extent < 0) return; // empty: reads nothing
    const step = layout.strides[d]! * extent;
    if (step < 0) lo += step;
    else hi += step;
  }
  if (lo < 0 || hi >= size || !Number.isInteger(lo) || !Number.isInteger(hi)) {
    throw new RangeError(
      `${op.def.name}: view of size ${formatShape(layout.shape)} with strides ${formatShape(layout.strides)} and offset ${layout.offset} reaches outside its storage of ${size} elements`,
    );
  }
}

function runKernel(
  op: RegisteredOp,
  backend: Backend,
  args: readonly Tensor[],
  attrs: unknown,
): Tensor[] {
  const kernel = op.kernels.get(backend.name);
  if (!kernel && op.def.decomposition) {
    // Ops with a decomposition run it untracked (after their own argument checks); the caller
    // records this op's own node.
    op.def.infer?.(args, attrs);
    let r: Tensor | Tensor[];
    try {
      // Its intermediates are freed now: nothing records or saves them.
      r = tidy(() => noGrad(() => op.def.decomposition!(args, attrs)));
    } catch (e) {
      throw AllocationError.as(e, op.def.name);
    }
    return Array.isArray(r) ? r : [r];
  }
  if (!kernel) {
    const have = [...op.kernels.keys()];
    throw new Error(
      `${op.def.name}: no kernel registered for backend '${backend.name}'; kernels exist for: ${have.length ? have.join(', ') : 'no backend'} (arguments: ${args.map(describe).join(', ')})`,
    );
  }
  const inferred = op.def.infer!(args, attrs);
  const metas: readonly TensorMeta[] = Array.isArray(inferred)
    ? inferred
    : [inferred as TensorMeta];
  const outputs: Tensor[] = [];
  try {
    for (const m of metas) {
      outputs.push(new Tensor(allocateStorage(backend, m.dtype, m.shape, op.def.name), m.shape));
    }
    kernel!(args, outputs, attrs);
  } catch (e) {
    // A failed allocation or kernel leaves no half-made outputs holding device memory.
    for (const t of outputs) t.dispose();
    throw e;
  }
  return outputs;
}

/**
 * Runs a registered op: checks devices, runs the backend's kernel (or the view/composite rule),
 * and records an autograd node when grad mode is on and an argument requires grad.
 * Returns every output; see `dispatch1` for single-output ops.
 */
export function dispatch(op: RegisteredOp, args: readonly Tensor[], attrs: unknown): Tensor[] {
  const def = op.def;
  checkArgs(op, args);
  if (def.composite) {
    let r: Tensor | Tensor[];
    try {
      // Intermediates are freed once no node needs them, not when the collector runs.
      r = freeTemporaries(() => def.composite!(args, attrs));
    } catch (e) {
      throw AllocationError.as(e, def.name);
    }
    return Array.isArray(r) ? r : [r];
  }
  const backend = commonBackend(op, args);
  let outputs: Tensor[];
  if (def.view) {
    const base = args[0]!;
    const layout = def.view(base, attrs);
    checkViewBounds(op, layout, base.storage.size);
    const out = new Tensor(base.storage, layout.shape, layout.strides, layout.offset);
    out.base = base.base ?? base;
    outputs = [out];
  } else {
    outputs = runKernel(op, backend, args, attrs);
  }
  if (isGradEnabled() && hasAutograd()) {
    for (let i = 0; i < args.length; i++) {
      if (args[i]!.requiresGrad) {
        getAutograd().record(op, args, attrs, outputs);
        break;
      }
    }
  }
  return outputs;
}

/** `dispatch` for ops with one output. */
export function dispatch1(op: RegisteredOp, args: readonly Tensor[], attrs: unknown): Tensor {
  return dispatch(op, args, attrs)[0]!;
}

/** An attribute value as errors show it: literal when small and plain, else what kind it is. */
function showAttr(value: unknown): string {
  if (value instanceof Tensor) return 'a Tensor';
  try {
    const json = JSON.stringify(value);
    if (json !== undefined && json.length <= 80) return json;
  } catch {
    // circular or otherwise unprintable: described below
  }
  return describeValue(value);
}

function checkAttr(opName: string, name: string, spec: AttrSpec, value: unknown): void {
  const fail = (what: string): never => {
    throw new TypeError(`${opName}: attribute '${name}' must be ${what}, got ${showAttr(value)}`);
  };
  switch (spec.type) {
    case 'int':
      if (!Number.isInteger(value)) fail('an integer');
      break;
    case 'float':
      if (typeof value !== 'number') fail('a number');
      break;
    case 'bool':
      if (typeof value !== 'boolean') fail('a boolean');
      break;
    case 'string':
    case 'dtype':
      if (typeof value !== 'string') fail('a string');
      break;
    case 'int[]':
      if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v)))
        fail('an array of integers');
      break;
    case 'float[]':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number'))
        fail('an array of numbers');
      break;
    case 'any':
      break;
  }
}

/** Fills defaults and checks types of an op's attributes against its declaration. */
export function resolveAttrs(
  op: RegisteredOp,
  attrs: Record<string, unknown> = {},
): Record<string, unknown> {
  const specs = op.def.attrs ?? {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(attrs)) {
    if (!(key in specs)) {
      const known = Object.keys(specs);
      throw new TypeError(
        `${op.def.name}: unknown attribute '${key}'${known.length ? `; expected ${known.join(', ')}` : ' (the op takes none)'}`,
      );
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = attrs[name] ?? spec.default;
    if (value === undefined || value === null) {
      if (!spec.optional)
        throw new TypeError(`${op.def.name}: missing required attribute '${name}'`);
      continue;
    }
    checkAttr(op.def.name, name, spec, value);
    out[name] = value;
  }
  return out;
}

/**
 * Calls an op by name (or handle), checking arity and attributes: the entry point for plugin
 * users and the explicit DAG API.
 * @example torch.callOp('add', [a, b]) // same as a.add(b)
 */
export function callOp(
  opOrName: RegisteredOp | string,
  args: readonly Tensor[],
  attrs: Record<string, unknown> = {},
): Tensor | Tensor[] {
  const op = typeof opOrName === 'string' ? getOp(opOrName) : opOrName;
  checkArity(op, args.length);
  const outputs = dispatch(op, args, resolveAttrs(op, attrs));
  return outputs.length === 1 ? outputs[0]! : outputs;
}
