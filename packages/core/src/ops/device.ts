import { uploadStorage } from '../alloc.js';
import { argTypeError, checkTensor } from '../arg-check.js';
import { getBackend } from '../backend.js';
import type { DType } from '../dtype.js';
import { DTYPES } from '../dtype.js';
import { getAutograd, hasAutograd, isGradEnabled } from '../grad-mode.js';
import { Tensor, tensorMethods } from '../tensor.js';
import { cast } from './cast.js';
import { op, run } from './define.js';

/**
 * Moving tensors between devices. The copy reads the source on the host and uploads it to the
 * target backend; autograd sees a `ToCopyBackward0` node whose VJP moves the gradient back.
 */
export const toDeviceOp = op<{ device: string }>({
  name: 'toDevice',
  inputs: ['input'],
  attrs: { device: { type: 'string' } },
  composite: ([x], { device }) => moveTo(x!, device),
  samples: () => [{ name: 'same device', inputs: [{ shape: [2, 3] }], attrs: { device: 'cpu' } }],
  doc: 'Copies a tensor to another device.',
});

function readHost(x: Tensor) {
  if (!x.backend.readSync) {
    throw new Error(
      `to(): tensor on '${x.device}' cannot be read synchronously; use 'await tensor.toAsync(device)'`,
    );
  }
  return x.dataSync();
}

function moveTo(x: Tensor, device: string): Tensor {
  const backend = getBackend(device);
  if (x.device === device) return x;
  const moved = new Tensor(
    uploadStorage(backend, readHost(x), x.dtype, x.shape, 'to'),
    x.shape.slice(),
  );
  return attachMoveGrad(x, moved);
}

function attachMoveGrad(from: Tensor, to: Tensor): Tensor {
  if (from.requiresGrad && isGradEnabled() && hasAutograd()) {
    const device = from.device;
    getAutograd().recordFunction('ToCopyBackward0', [from], [to], ([g]) => [
      g ? g.to(device) : null,
    ]);
  }
  return to;
}

/**
 * The tensor on `device` (a copy; itself when already there), read asynchronously so it works
 * from devices without synchronous reads.
 * @example const c = await g.toAsync('cpu');
 */
export async function toAsync(x: Tensor, device: string): Promise<Tensor> {
  checkTensor(x, 'toAsync', 'input');
  if (x.device === device) return x;
  const data = await x.data();
  const target = getBackend(device);
  const moved = new Tensor(
    uploadStorage(target, data, x.dtype, x.shape, 'toAsync'),
    x.shape.slice(),
  );
  return attachMoveGrad(x, moved);
}

/** What `to()` accepts: a dtype or device name, an options object, or a tensor to match. */
type ToTarget = string | { device?: string; dtype?: DType } | Tensor;

function readTarget(target: ToTarget): { device?: string; dtype?: DType } {
  // A string names a dtype (`x.to('float64')`, PyTorch's `x.to(torch.float64)`) or a device.
  if (typeof target === 'string') {
    return (DTYPES as readonly string[]).includes(target)
      ? { dtype: target as DType }
      : { device: target };
  }
  if (target instanceof Tensor) return { device: target.device, dtype: target.dtype };
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw argTypeError(
      'to',
      'target',
      target,
      'a dtype or device name, a Tensor or an options object',
    );
  }
  return target;
}

tensorMethods.to = (x: Tensor, target: ToTarget): Tensor => {
  const { device, dtype } = readTarget(target);
  let r = x;
  if (dtype !== undefined) r = cast(r, dtype);
  if (device !== undefined && device !== r.device) r = run(toDeviceOp, [r], { device });
  return r;
};

declare module '../tensor.js' {
  interface Tensor {
    /** Asynchronous `to(device)`. @example await x.toAsync('cpu') */
    toAsync(device: string): Promise<Tensor>;
    /** Copy on the CPU. @example x.cpu() */
    cpu(): Tensor;
  }
}

Tensor.prototype.toAsync = function (this: Tensor, device: string) {
  return toAsync(this, device);
};
Tensor.prototype.cpu = function (this: Tensor) {
  return this.to('cpu');
};
