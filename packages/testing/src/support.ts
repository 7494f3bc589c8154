import type { Backend, Kernel, RegisteredOp, Tensor } from '@autodag/core';
import { fromTypedArray, getBackend, getOp, listOps } from '@autodag/core';
import type { CheckKind, RunCheckOptions, SampleCase } from './checks.js';
import { runCheck, syncOnlyReason } from './checks.js';

const float64Refusals = new WeakMap<Backend, boolean>();

/**
 * True when `device` refuses float64 tensors, found by trying to create one (WebGPU has no 64-bit
 * floats and throws). Remembered per backend; an unknown device gives `false` (its own error shows
 * when a check runs on it).
 * @example refusesFloat64('webgpu') // true; refusesFloat64('cpu') // false
 */
export function refusesFloat64(device: string): boolean {
  let backend: Backend;
  try {
    backend = getBackend(device);
  } catch {
    return false;
  }
  let refused = float64Refusals.get(backend);
  if (refused === undefined) {
    try {
      fromTypedArray(new Float64Array(1), [1], { dtype: 'float64', device }).dispose();
      refused = false;
    } catch {
      refused = true;
    }
    float64Refusals.set(backend, refused);
  }
  return refused;
}

/**
 * What a computation needs from a device, found by running it on the CPU with that device's
 * kernel set: the ops it reaches that have no kernel on the device, and whether a kernel
 * touched a float64 tensor.
 * @example traceKernels('webgpu', () => runCheck('devices', c, { device: 'cpu', compareWith: 'cpu' })).missing // ['where']
 */
export interface KernelTrace {
  /** Ops the computation dispatched that have no kernel (and no decomposition) on the device, sorted. */
  readonly missing: readonly string[];
  /** True when a kernel read or wrote a float64 tensor. */
  readonly float64: boolean;
}

/**
 * Runs `fn` (a synchronous computation on the CPU) as it would run on `device`: ops the device
 * lacks a kernel for but that have a decomposition run their decomposition, as dispatch does on
 * that device, and every other op is recorded (its CPU kernel still runs, so every missing op is
 * found, not only the first). The CPU kernels are swapped for recording wrappers for the duration
 * of the call only, which is synchronous, and restored even when `fn` throws.
 * @example traceKernels('webgpu', () => torch.ones(3).cumsum(0).dataSync()).missing // ['cumsum']
 */
export function traceKernels(device: string, fn: () => unknown): KernelTrace {
  const missing = new Set<string>();
  let float64 = false;
  const f64 = (ts: readonly Tensor[]) => ts.some((t) => t.dtype === 'float64');
  const saved: [RegisteredOp, Kernel | undefined][] = [];
  for (const name of listOps()) {
    const op = getOp(name);
    const cpu = op.kernels.get('cpu');
    const onDevice = op.kernels.has(device);
    if (!onDevice && op.def.decomposition) {
      saved.push([op, cpu]);
      op.kernels.delete('cpu');
    } else if (cpu) {
      saved.push([op, cpu]);
      op.kernels.set('cpu', (inputs, outputs, attrs) => {
        if (!onDevice) missing.add(name);
        if (f64(inputs) || f64(outputs)) float64 = true;
        return cpu(inputs, outputs, attrs);
      });
    }
  }
  try {
    fn();
  } finally {
    for (const [op, kernel] of saved) {
      if (kernel) op.kernels.set('cpu', kernel);
      else op.kernels.delete('cpu');
    }
  }
  return { missing: [...missing].sort(), float64 };
}

/** True when the device has a kernel for every op the CPU has one for (nothing to trace). */
function coversCpu(device: string): boolean {
  return listOps().every((name) => {
    const kernels = getOp(name).kernels;
    return !kernels.has('cpu') || kernels.has(device);
  });
}

/**
 * `no 'webgpu' kernel for: where (forward); eq (gradients)`: the missing ops, split into those
 * the forward on the sample's layouts needs (traced from `forward`) and the rest, needed by the
 * gradients (and, for the layout check, by the other layouts).
 */
function missingReason(
  device: string,
  kind: CheckKind,
  missing: readonly string[],
  forward: () => unknown,
): string {
  const inForward = kind === 'forward' ? missing : traceKernels(device, forward).missing;
  const first = missing.filter((name) => inForward.includes(name));
  const later = missing.filter((name) => !inForward.includes(name));
  const parts: string[] = [];
  if (first.length) parts.push(`${first.join(', ')} (forward)`);
  if (later.length) {
    parts.push(
      `${later.join(', ')} (${kind === 'layouts' ? 'gradients or other layouts' : 'gradients'})`,
    );
  }
  return `no '${device}' kernel for: ${parts.join('; ')}`;
}

/**
 * Why a check cannot run on the devices it involves (the device under test, and `compareWith`
 * for the `devices` check), found before running it: it is a finite-difference check (they read
 * synchronously), the sample uses float64 on a device that refuses float64 (`float64 is not
 * supported on webgpu`), or the check reaches ops without a kernel on the device, each named
 * (`no 'webgpu' kernel for: where (gradients)`). `null` when it can run. The kernels a check
 * needs are found with `traceKernels`, running the check on the CPU.
 * @example deviceSkipReason('devices', c, { device: 'webgpu', compareWith: 'cpu' })
 */
export function deviceSkipReason(
  kind: CheckKind,
  c: SampleCase,
  opts: RunCheckOptions = {},
): string | null {
  const syncOnly = syncOnlyReason(kind);
  if (syncOnly) return syncOnly;
  const device = opts.device ?? 'cpu';
  const devices = kind === 'devices' && opts.compareWith ? [device, opts.compareWith] : [device];
  const onCpu = { ...opts, device: 'cpu', compareWith: 'cpu' };
  for (const d of new Set(devices)) {
    const noFloat64 = refusesFloat64(d);
    const float64 = `float64 is not supported on ${d}`;
    if (noFloat64 && c.values.some((v) => v.dtype === 'float64')) return float64;
    if (!noFloat64 && coversCpu(d)) continue;
    const trace = traceKernels(d, () => runCheck(kind, c, onCpu));
    if (noFloat64 && trace.float64) return float64;
    if (trace.missing.length) {
      return missingReason(d, kind, trace.missing, () => runCheck('forward', c, onCpu));
    }
  }
  return null;
}
