import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import type { Call } from './arg-walk.js';
import { aliases, defaultTemplates, discover, lookup, probeAll } from './arg-walk.js';

/**
 * Every Tensor method and torch.* function that takes a tensor answers a plain array (or null)
 * in a tensor position with one TypeError naming the function and the argument, never with a
 * crash from deeper in (`Cannot read properties of undefined`) or a silently wrong result.
 */

const f = () => torch.ones(2, 2);
const v = () => torch.ones(2);
const s = () => torch.tensor(1);
const mask = () =>
  torch.tensor([
    [true, false],
    [false, true],
  ]);
const idx = () => torch.tensor([0], { dtype: 'int32' });
const idx2 = () => torch.zeros(2, 2, { dtype: 'int32' });
const batch = () => torch.ones(1, 2, 2);

/** Argument lists for methods that the default templates cannot find (self is `f()` unless given). */
const METHOD_TEMPLATES: Record<string, { self?: () => torch.Tensor; args: () => unknown[] }> = {
  backward: { self: () => torch.ones(2).requiresGrad_().sum(), args: () => [s()] },
  where: { args: () => [mask(), f()] },
  fill_: { args: () => [s()] },
  indexSelect: { args: () => [0, idx()] },
  gather: { args: () => [0, idx2()] },
  scatter: { args: () => [0, idx2(), f()] },
  scatter_: { args: () => [0, idx2(), f()] },
  scatterAdd: { args: () => [0, idx2(), f()] },
  scatterAdd_: { args: () => [0, idx2(), f()] },
  maskedFill: { args: () => [mask(), s()] },
  maskedFill_: { args: () => [mask(), s()] },
  maskedSelect: { args: () => [mask()] },
  maskedSelectAsync: { args: () => [mask()] },
  take: { args: () => [idx()] },
  get: { args: () => [idx()] },
  getAsync: { args: () => [mask()] },
  set: { args: () => [[0], s()] },
  indexPut: { args: () => [[idx()], s()] },
  indexPut_: { args: () => [[idx()], s()] },
  bmm: { self: batch, args: () => [batch()] },
  mv: { args: () => [v()] },
  dot: { self: v, args: () => [v()] },
  outer: { self: v, args: () => [v()] },
  clamp: { args: () => [s(), s()] },
  clip: { args: () => [s(), s()] },
  clamp_: { args: () => [s(), s()] },
  clip_: { args: () => [s(), s()] },
};

/** Positions where a plain array is a legitimate value: PyTorch accepts index lists there. */
const METHOD_ARRAYS_OK: Record<string, string[]> = {
  indexSelect: ['#1'],
  gather: ['#1'],
  scatter: ['#1'],
  scatter_: ['#1'],
  scatterAdd: ['#1'],
  scatterAdd_: ['#1'],
  take: ['#0'],
  get: ['#0'],
  getAsync: ['#0'],
  indexPut: ['#0[0]'],
  indexPut_: ['#0[0]'],
};

/** Methods whose arguments are never tensors (sizes, dims, dtypes, callbacks, options). */
const METHODS_WITHOUT_TENSOR_ARGS = new Set(
  (
    'constructor size stride item view reshape transpose permute expand unsqueeze squeeze ' +
    'broadcastTo flatten unflatten movedim moveaxis swapaxes swapdims cumsum slice select narrow ' +
    'split chunk unbind max min argmax argmin flip repeat roll tril triu softmax logSoftmax type ' +
    'retainGrad registerHook checkReadable logsumexp toAsync isNonzero itemAsync checkScalar readNow'
  ).split(' '),
);

const TORCH_TEMPLATES: Record<string, () => unknown[]> = {
  where: () => [mask(), f(), f()],
  getItem: () => [f(), [idx()]],
  getItemAsync: () => [f(), [mask()]],
  setItem: () => [f(), [0], s()],
  indexPut: () => [f(), [idx()], s()],
  indexPut_: () => [f(), [idx()], s()],
  indexSelect: () => [f(), 0, idx()],
  gather: () => [f(), 0, idx2()],
  scatter: () => [f(), 0, idx2(), f()],
  scatterAdd: () => [f(), 0, idx2(), f()],
  maskedFill: () => [f(), mask(), s()],
  maskedFill_: () => [f(), mask(), s()],
  maskedSelect: () => [f(), mask()],
  maskedSelectAsync: () => [f(), mask()],
  take: () => [f(), idx()],
  fill_: () => [f(), s()],
  cat: () => [[f(), f()]],
  stack: () => [[f(), f()]],
  hstack: () => [[f(), f()]],
  vstack: () => [[f(), f()]],
  split: () => [f(), 1],
  chunk: () => [f(), 2],
  bmm: () => [batch(), batch()],
  mv: () => [f(), v()],
  dot: () => [v(), v()],
  outer: () => [v(), v()],
  cast: () => [f(), 'int32'],
  inplace: () => [f(), 'mul_', (x: torch.Tensor) => x.mul(2)],
  checkInplace: () => [f(), 'mul_'],
  repeat: () => [f(), 1, 1],
  select: () => [f(), 0, 0],
  narrow: () => [f(), 0, 0, 1],
  asStrided: () => [f(), [2], [1]],
  view: () => [f(), [4]],
  reshape: () => [f(), [4]],
  transpose: () => [f(), 0, 1],
  permute: () => [f(), [1, 0]],
  sumTo: () => [f(), [2]],
  expand: () => [f(), [2, 2]],
  broadcastTo: () => [f(), [2, 2]],
  unflatten: () => [f(), 0, [2, 1]],
  movedim: () => [f(), 0, 1],
  swapaxes: () => [f(), 0, 1],
  swapdims: () => [f(), 0, 1],
  reducedMeta: () => [f(), { dims: [0], keepdim: false }],
  keepDims: () => [v(), [2, 2], { dims: [0], keepdim: false }],
  unreduce: () => [v(), [2, 2], { dims: [0], keepdim: false }],
  dispatch: () => [torch.getOp('neg'), [f()], {}],
  dispatch1: () => [torch.getOp('neg'), [f()], {}],
  callOp: () => ['neg', [f()]],
  toTensor: () => [f(), 'float32', 'cpu'],
  resultType: () => [f(), f()],
  deviceOf: () => [f(), f()],
  fullLike: () => [f(), 1],
  toAsync: () => [f(), 'cpu'],
  clamp: () => [f(), s(), s()],
  clip: () => [f(), { min: s(), max: s() }],
};

/** Helpers that run an op for their caller: their errors name that op, not themselves. */
const TORCH_NAMED_AFTER_OP: Record<string, string[]> = {
  dispatch: ['neg'],
  dispatch1: ['neg'],
  callOp: ['neg'],
  inplace: ['mul_'],
  checkInplace: ['mul_'],
};

const TORCH_ARRAYS_OK: Record<string, string[]> = {
  getItem: ['#1[0]'],
  getItemAsync: ['#1[0]'],
  indexPut: ['#1[0]'],
  indexPut_: ['#1[0]'],
  indexSelect: ['#2'],
  gather: ['#2'],
  scatter: ['#2'],
  scatterAdd: ['#2'],
  take: ['#1'],
};

/** torch.* functions that take no tensor: they build tensors from sizes or data, or are registry, dtype, shape, mode or printing helpers. */
const TORCH_WITHOUT_TENSOR_ARGS = new Set(
  [
    // creation from sizes, values or host data (`tensor` takes arrays by design)
    'tensor scalarTensor fromTypedArray empty zeros ones full rand randn randint arange linspace',
    'logspace eye allocationNumel allocateStorage allocateHost uploadStorage',
    'parseSizeArgs manualSeed',
    // backends, registry and op-definition helpers (names, attrs, sample lists)
    'registerBackend unregisterBackend listBackends getBackend setDefaultDevice getDefaultDevice',
    'memory setMemoryDebug noteAllocation resetPeakMemoryStats',
    'backendOf defineOp unregisterOp getOp hasOp listOps requiredKernels registerKernel unregisterKernel',
    'listKernels argName checkArity resolveAttrs binaryInfer unaryInfer zeroGradOf shapeMismatch',
    'binarySamples unarySamples reduceSamples reduceAllSamples',
    // dtype, shape and dim arithmetic on plain values
    'isFloatingPoint typedArrayFor itemSize dtypeCategory promoteTypes checkDType torchDTypeName',
    'scalarTypeName numelOf contiguousStrides isContiguous shapesEqual formatShape broadcastShapes',
    'broadcastStrides normalizeDim normalizeDims checkShape inferSize viewStrides allDims reduceDims',
    'reduceDim reducedCount fullAttrs reduceArgs isFullReduction dimAttrs asIndex',
    // grad mode, memory scopes, printing options (callbacks and flags)
    'installAutograd getAutograd hasAutograd isGradEnabled setGradEnabled noGrad enableGrad tidy collectCreated untracked functionNodesRecorded freeTemporaries',
    'trackTensor setPrintoptions getPrintoptions',
    // the argument checks themselves (they take any value on purpose)
    'describeValue argTypeError checkTensor checkOptionalTensor checkTensorOrScalar checkTensorList',
    'checkTensorOrList',
    // autograd's grad() has its own test in packages/autograd
    'grad',
  ]
    .join(' ')
    .split(' '),
);

async function methodCalls(): Promise<{ calls: Call[]; missing: string[] }> {
  const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
  const methods = Object.fromEntries(
    Object.getOwnPropertyNames(proto).flatMap((k) => {
      const fn = Object.getOwnPropertyDescriptor(proto, k)!.value;
      return typeof fn === 'function' && !METHODS_WITHOUT_TENSOR_ARGS.has(k) ? [[k, fn]] : [];
    }),
  ) as Record<string, Function>;
  return collect(methods, (names, fn) => {
    const t = lookup(METHOD_TEMPLATES, names);
    const self = t?.self ?? f;
    const invoke = (args: unknown[]) => fn.apply(self(), args);
    return { invoke, args: t?.args, tries: [() => [], ...defaultTemplates(f)] };
  });
}

async function torchCalls(): Promise<{ calls: Call[]; missing: string[] }> {
  const fns = Object.fromEntries(
    Object.entries(torch).filter(
      ([k, fn]) =>
        typeof fn === 'function' && !/^[A-Z]/.test(k) && !TORCH_WITHOUT_TENSOR_ARGS.has(k),
    ),
  ) as Record<string, Function>;
  return collect(fns, (names, fn) => ({
    names: [...names, ...(lookup(TORCH_NAMED_AFTER_OP, names) ?? [])],
    invoke: (args: unknown[]) => fn(...args),
    args: lookup(TORCH_TEMPLATES, names),
    tries: defaultTemplates(f),
  }));
}

/** One call per function: its template, or else the first default argument list that works. */
async function collect(
  fns: Record<string, Function>,
  plan: (
    names: string[],
    fn: Function,
  ) => {
    names?: string[];
    invoke: Call['invoke'];
    args?: () => unknown[];
    tries: (() => unknown[])[];
  },
): Promise<{ calls: Call[]; missing: string[] }> {
  const names = aliases(fns);
  const calls: Call[] = [];
  const missing: string[] = [];
  for (const [fn, own] of names) {
    const p = plan(own, fn as Function);
    const ns = p.names ?? own;
    if (p.args) {
      calls.push({ names: ns, invoke: p.invoke, args: p.args });
      continue;
    }
    const found = await discover(p.invoke, p.tries);
    if (found)
      calls.push({ names: ns, invoke: p.invoke, args: found, arity: (fn as Function).length });
    else missing.push(own[0]!);
  }
  return { calls, missing };
}

describe('a plain array where a tensor is expected', () => {
  it('every Tensor method with a tensor argument names itself and says "not an array"', async () => {
    const { calls, missing } = await methodCalls();
    expect(missing, 'give these methods a template or list them as taking no tensor').toEqual([]);
    expect(await probeAll(calls, METHOD_ARRAYS_OK)).toEqual([]);
    expect(calls.length).toBeGreaterThan(100);
  });

  it('every torch.* function with a tensor argument names itself and says "not an array"', async () => {
    const { calls, missing } = await torchCalls();
    expect(missing, 'give these functions a template or list them as taking no tensor').toEqual([]);
    expect(await probeAll(calls, TORCH_ARRAYS_OK)).toEqual([]);
    expect(calls.length).toBeGreaterThan(120);
  });

  it('words the error as PyTorch does, with the way out', () => {
    expect(() => torch.ones(2).matmul([1, 2] as never)).toThrow(
      new TypeError(
        "matmul(): argument 'other' must be a Tensor, not an array (wrap it with torch.tensor(...))",
      ),
    );
    expect(() => torch.matmul(null as never, torch.ones(2))).toThrow(
      "matmul(): argument 'input' must be a Tensor, not null",
    );
    expect(() => torch.exp(undefined as never)).toThrow(
      "exp(): argument 'input' must be a Tensor, not undefined",
    );
    expect(() => torch.exp(new Map() as never)).toThrow(
      "exp(): argument 'input' must be a Tensor, not a Map",
    );
    expect(() => torch.exp(new Float32Array(2) as never)).toThrow(
      "exp(): argument 'input' must be a Tensor, not a Float32Array (wrap it with torch.tensor(...))",
    );
    expect(() => torch.cat([torch.ones(2), [1, 2]] as never)).toThrow(
      "cat(): argument 'tensors' (element 1) must be a Tensor, not an array (wrap it with torch.tensor(...))",
    );
    expect(() => torch.callOp('neg', [[1]] as never)).toThrow(
      "neg(): argument 'input' must be a Tensor, not an array",
    );
  });

  it('leaves the tensors it was given as they were', () => {
    const x = torch.tensor([1, 2]);
    expect(() => x.add_([1, 2] as never)).toThrow(TypeError);
    expect(() => x.copy_([5, 5] as never)).toThrow(TypeError);
    expect(x.tolist()).toEqual([1, 2]);
    expect(x.version).toBe(0);
  });
});
