import type { Backend, DType, TypedArray } from 'autodag';
import * as torch from 'autodag';

/**
 * A second host device, to exercise cross-device checks without a GPU. It keeps typed arrays like
 * the CPU, so the CPU's kernels run on it unchanged. `readSync: false` makes it read only
 * asynchronously (like WebGPU: `dataSync()` throws); `float64: false` makes it refuse float64.
 */
export function hostBackend(
  name: string,
  opts: { readSync?: boolean; float64?: boolean } = {},
): Backend {
  const store = (dtype: DType, data: TypedArray) => {
    if (dtype === 'float64' && opts.float64 === false) {
      throw new TypeError(`dtype float64 is not supported on device '${name}'`);
    }
    return { backend, dtype, size: data.length, data, version: 0, disposed: false };
  };
  const Ctor = (dtype: DType) =>
    torch.typedArrayFor(dtype) as (new (
      n: number,
    ) => TypedArray) & {
      from(a: ArrayLike<number>): TypedArray;
    };
  const backend: Backend = {
    name,
    priority: -10,
    allocate: (dtype, size) => store(dtype, new (Ctor(dtype))(size)),
    upload: (values, dtype) => store(dtype, Ctor(dtype).from(values)),
    read: (s) => Promise.resolve(s.data as TypedArray),
    ...(opts.readSync === false ? {} : { readSync: (s) => s.data as TypedArray }),
    release: () => {},
  };
  return backend;
}

/**
 * Registers a host backend with the CPU's kernels, but for the ops in `except`. Returns the
 * function that removes it and its kernels again.
 */
export function registerHost(
  name: string,
  opts: { readSync?: boolean; float64?: boolean; except?: readonly string[] } = {},
): () => void {
  torch.registerBackend(hostBackend(name, opts));
  const borrowed = torch
    .listOps()
    .filter((n) => torch.listKernels(n).includes('cpu') && !opts.except?.includes(n));
  for (const n of borrowed) torch.registerKernel(n, name, torch.getOp(n).kernels.get('cpu')!);
  return () => {
    for (const n of torch.listOps()) torch.unregisterKernel(n, name);
    torch.unregisterBackend(name);
  };
}

/**
 * A test framework that records what the suite declares: full test names, skipped names and
 * the bodies (sync or async), to run them by hand.
 */
export function recordingFramework() {
  const names: string[] = [];
  const skipped: string[] = [];
  const bodies: (() => void | Promise<void>)[] = [];
  const prefix: string[] = [];
  const it = Object.assign(
    (name: string, fn: () => void | Promise<void>) => {
      names.push([...prefix, name].join(' > '));
      bodies.push(fn);
    },
    { skip: (name: string) => skipped.push(name) },
  );
  const describe = (name: string, fn: () => void) => {
    prefix.push(name);
    fn();
    prefix.pop();
  };
  return { describe, it, names, skipped, bodies };
}
