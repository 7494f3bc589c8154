import { grad } from '@autodag/autograd';
import type { DType, OpSample, RegisteredOp, Tensor } from '@autodag/core';
import { argName, callOp, fromTypedArray, isFloatingPoint, noGrad } from '@autodag/core';
import type { InputValues, Layout } from './materialize.js';
import { buildTensor, wantsGrad } from './materialize.js';
import { gradWeights } from './seed.js';

/**
 * How to materialise a sample for one run.
 * @example runSample(op, sample, values, { device: 'cpu', floatDType: 'float64', layout: 'strided' })
 */
export interface RunOptions {
  /** Device the inputs are created on. */
  readonly device: string;
  /** Dtype floating inputs are converted to (e.g. float64 for finite differences). */
  readonly floatDType?: DType;
  /** Layout override for every input (the sample's own layouts otherwise). */
  readonly layout?: Layout;
  /** Replacement logical values per input (used for finite-difference perturbations). */
  readonly values?: readonly (ArrayLike<number> | undefined)[];
  /** Mark the differentiable inputs as requiring grad. */
  readonly requiresGrad?: boolean;
}

/**
 * The tensors of one run of an op on one sample.
 * @example const { inputs, outputs } = runSample(op, sample, values, { device: 'cpu' })
 */
export interface SampleRun {
  /** The input tensors the op was called with, in argument order. */
  readonly inputs: Tensor[];
  /** The op's outputs; for ops with no outputs (in-place primitives), the first input after the call. */
  readonly outputs: Tensor[];
}

/**
 * Names of the op's first `count` arguments: inputs then parameters (a variadic op's list name for each).
 * @example argNames(getOp('where'), 3) // ['condition', 'input', 'other']
 */
export function argNames(op: RegisteredOp, count: number): string[] {
  return Array.from({ length: count }, (_, i) => argName(op, i));
}

/**
 * Indices of the arguments the gradient checks differentiate: floating inputs the sample does not
 * exclude that have a VJP (composite ops are differentiable through the ops they call). A sample's
 * `noGrad` empties the list unless `ignoreNoGrad` is set: it only opts out of finite differences,
 * so gradients are still compared with PyTorch's (e.g. its choice at ties).
 * @example differentiableArgs(getOp('mul'), sample) // [0, 1]
 */
export function differentiableArgs(
  op: RegisteredOp,
  sample: OpSample,
  opts: { ignoreNoGrad?: boolean } = {},
): number[] {
  if (sample.noGrad && !opts.ignoreNoGrad) return [];
  const names = argNames(op, sample.inputs.length);
  const out: number[] = [];
  sample.inputs.forEach((input, i) => {
    if (!wantsGrad(input)) return;
    if (op.def.composite || op.def.vjp?.[names[i]!]) out.push(i);
  });
  return out;
}

/**
 * Materialises the sample's inputs on a device (optionally as float64, in another layout, with
 * other values) and calls the op with the sample's attributes.
 * @example runSample(getOp('mm'), sample, sampleValues('mm', sample), { device: 'cpu' }).outputs[0]
 */
export function runSample(
  op: RegisteredOp,
  sample: OpSample,
  values: readonly InputValues[],
  opts: RunOptions,
): SampleRun {
  const diff = new Set(
    opts.requiresGrad ? differentiableArgs(op, sample, { ignoreNoGrad: true }) : [],
  );
  const inputs = values.map((v, i) =>
    buildTensor(v, opts.device, {
      dtype: opts.floatDType && isFloatingPoint(v.dtype) ? opts.floatDType : v.dtype,
      layout: opts.layout,
      values: opts.values?.[i],
      requiresGrad: diff.has(i),
    }),
  );
  const result = callOp(op, inputs, sample.attrs ?? {});
  const outputs = Array.isArray(result) ? result : [result];
  return { inputs, outputs: outputs.length ? outputs : inputs.slice(0, 1) };
}

/**
 * Indices of outputs that carry gradients: the op's declaration, else every floating output.
 * @example differentiableOutputs(getOp('max'), outputs) // [0] (values, not indices)
 */
export function differentiableOutputs(op: RegisteredOp, outputs: readonly Tensor[]): number[] {
  if (op.def.differentiableOutputs) return op.def.differentiableOutputs.slice();
  const out: number[] = [];
  outputs.forEach((o, i) => {
    if (isFloatingPoint(o.dtype)) out.push(i);
  });
  return out;
}

/**
 * The scalar `Σ_k sum(output_k * gradWeights_k)` over the differentiable outputs, as a tensor
 * (recorded by autograd) — the loss whose gradients every check compares.
 * @example weightedLoss(run.outputs, [0])!.backward()
 */
export function weightedLoss(outputs: readonly Tensor[], which: readonly number[]): Tensor | null {
  let loss: Tensor | null = null;
  for (const k of which) {
    const o = outputs[k]!;
    const w = fromTypedArray(gradWeights(o.numel(), k), o.shape, {
      dtype: o.dtype,
      device: o.device,
    });
    const term = o.mul(w).sum();
    loss = loss ? loss.add(term) : term;
  }
  return loss;
}

/**
 * A computation that reads tensors back: it yields the tensors it needs and is resumed with their
 * logical values (row-major numbers, one array per tensor). `readSync` drives it with
 * `dataSync()`, `readAsync` with `await t.data()`, so one check serves devices that read
 * synchronously (the CPU) and those that only read asynchronously (WebGPU).
 * @example readAsync(gradientReads(op, sample, run))
 */
export type Reads<T> = Generator<readonly Tensor[], T, number[][]>;

/**
 * The step of a `Reads` computation that asks for `tensors` and gets their values.
 * @example const [out] = yield* read([run.outputs[0]!]);
 */
export function* read(tensors: readonly Tensor[]): Reads<number[][]> {
  return yield tensors;
}

/**
 * Runs a `Reads` computation, reading with `dataSync()` (the CPU and other synchronous devices).
 * A failed read is thrown into the computation, where it may be caught.
 * @example const grads = readSync(gradientReads(op, sample, run));
 */
export function readSync<T>(steps: Reads<T>): T {
  let r = steps.next();
  while (!r.done) {
    const tensors = r.value;
    let values: number[][];
    try {
      values = tensors.map(readValues);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(values);
  }
  return r.value;
}

/**
 * Runs a `Reads` computation, reading with `await t.data()`: works on every device. The tensors of
 * one step are read together.
 * @example const grads = await readAsync(gradientReads(op, sample, run));
 */
export async function readAsync<T>(steps: Reads<T>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    const pending = Promise.all(r.value.map(readValuesAsync));
    r = await pending.then(
      (values) => steps.next(values),
      (e) => steps.throw(e),
    );
  }
  return r.value;
}

/**
 * Gradients of the weighted loss w.r.t. the differentiable arguments (zeros where an argument is
 * unused), as a `Reads` computation: the backward runs on the inputs' device, then the gradients
 * are read back. Returns `null` when the sample has no differentiable argument.
 * @example readAsync(gradientReads(op, sample, runSample(op, sample, values, { device: 'webgpu', requiresGrad: true })))
 */
export function* gradientReads(
  op: RegisteredOp,
  sample: OpSample,
  run: SampleRun,
): Reads<Map<number, Float64Array> | null> {
  const args = differentiableArgs(op, sample, { ignoreNoGrad: true });
  if (!args.length) return null;
  const which = differentiableOutputs(op, run.outputs).filter((k) => run.outputs[k]!.requiresGrad);
  const loss = weightedLoss(run.outputs, which);
  const grads = loss
    ? grad(
        loss,
        args.map((i) => run.inputs[i]!),
        { allowUnused: true },
      )
    : [];
  const present = grads.filter((g): g is Tensor => !!g);
  const values = yield* read(present);
  const result = new Map<number, Float64Array>();
  let next = 0;
  args.forEach((i, slot) => {
    const g = grads[slot] ? Float64Array.from(values[next++]!) : null;
    result.set(i, g ?? new Float64Array(run.inputs[i]!.numel()));
  });
  return result;
}

/**
 * Gradients of the weighted loss w.r.t. the differentiable arguments (zeros where an argument is
 * unused), read back as host arrays, keyed by argument index. `null` when the sample has no
 * differentiable argument. Synchronous reads: see `analyticGradsAsync` for every device.
 * @example analyticGrads(op, sample, runSample(op, sample, values, { device: 'cpu', requiresGrad: true }))
 */
export function analyticGrads(
  op: RegisteredOp,
  sample: OpSample,
  run: SampleRun,
): Map<number, Float64Array> | null {
  return readSync(gradientReads(op, sample, run));
}

/**
 * `analyticGrads` with asynchronous reads (`await t.data()`): works on every device.
 * @example await analyticGradsAsync(op, sample, runSample(op, sample, values, { device: 'webgpu', requiresGrad: true }))
 */
export function analyticGradsAsync(
  op: RegisteredOp,
  sample: OpSample,
  run: SampleRun,
): Promise<Map<number, Float64Array> | null> {
  return readAsync(gradientReads(op, sample, run));
}

/**
 * Reads a tensor's logical values, row-major, as a host array of numbers.
 * @example readValues(torch.tensor([[1, 2], [3, 4]]).t()) // [1, 3, 2, 4]
 */
export function readValues(t: Tensor): number[] {
  return Array.from(noGrad(() => t.dataSync()));
}

/**
 * `readValues` through `await t.data()`: works on every device.
 * @example await readValuesAsync(torch.ones(2, { device: 'webgpu' })) // [1, 1]
 */
export async function readValuesAsync(t: Tensor): Promise<number[]> {
  return Array.from(await noGrad(() => t.data()));
}
