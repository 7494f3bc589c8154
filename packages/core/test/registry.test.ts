import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { hostBackend } from './host-backend.js';

describe('operator registry', () => {
  it('lists the core ops and their kernels', () => {
    const ops = torch.listOps();
    for (const name of ['add', 'mul', 'sum', 'mm', 'tanh', 'view', 'transpose'])
      expect(ops).toContain(name);
    expect(torch.listKernels('add')).toContain('cpu');
  });

  it('registers, calls, overrides and unregisters a plugin op', () => {
    const def = torch.defineOp<{ factor: number }>({
      name: 'test.scale',
      inputs: ['x'],
      attrs: { factor: { type: 'float', default: 2 } },
      infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      vjp: { x: ({ grad, attrs }) => grad.mul(attrs.factor) },
    });
    torch.registerKernel<{ factor: number }>('test.scale', 'cpu', ([x], [out], { factor }) => {
      const src = x!.contiguous().dataSync();
      const o = out!.storage.data as Float32Array;
      for (let i = 0; i < o.length; i++) o[i] = src[i]! * factor;
    });
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = torch.callOp(def, [x], { factor: 3 }) as torch.Tensor;
    expect(y.tolist()).toEqual([3, 6, 9]);
    expect(y.gradFn?.name).toBe('ScaleBackward0');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3, 3]);
    expect(() =>
      torch.defineOp({ name: 'test.scale', inputs: ['x'], composite: ([x]) => x! }),
    ).toThrow(/already registered/);
    torch.defineOp(
      { name: 'test.scale', inputs: ['x'], composite: ([x]) => x!.mul(10) },
      { override: true },
    );
    expect((torch.callOp('test.scale', [x]) as torch.Tensor).tolist()).toEqual([10, 20, 30]);
    expect(torch.unregisterOp('test.scale')).toBe(true);
    expect(() => torch.getOp('test.scale')).toThrow(/Unknown op 'test.scale'/);
  });

  it('checks attribute types and arity', () => {
    expect(() => torch.callOp('sum', [torch.ones(2)], { dims: 'x' })).toThrow(
      /sum: attribute 'dims' must be an array of integers/,
    );
    expect(() => torch.callOp('sum', [torch.ones(2)], { dim: [0] })).toThrow(
      /sum: unknown attribute 'dim'/,
    );
    expect(() => torch.callOp('add', [torch.ones(2)])).toThrow(
      /add: expected 2 tensor arguments \(input, other\), got 1/,
    );
  });

  it('names the op, the backend and the backends that have a kernel when one is missing', () => {
    torch.registerBackend(hostBackend('nokernels'));
    try {
      const a = torch.ones(2, { device: 'nokernels' });
      expect(() => a.tanh()).toThrow(
        "tanh: no kernel registered for backend 'nokernels'; kernels exist for: cpu",
      );
    } finally {
      torch.unregisterBackend('nokernels');
    }
  });

  it('rejects mixing devices in one op and moves tensors between devices', () => {
    torch.registerBackend(hostBackend('other'));
    try {
      const a = torch.tensor([1, 2], { requiresGrad: true });
      const b = torch.tensor([3, 4], { device: 'other' });
      expect(() => a.add(b)).toThrow(
        /expected all tensors to be on the same device, but found at least two devices, cpu and other/,
      );
      const moved = a.to('other');
      expect(moved.device).toBe('other');
      expect(moved.tolist()).toEqual([1, 2]);
      expect(moved.gradFn?.name).toBe('ToCopyBackward0');
      moved.to('cpu').sum().backward();
      expect(a.grad!.device).toBe('cpu');
      expect(a.grad!.tolist()).toEqual([1, 1]);
    } finally {
      torch.unregisterBackend('other');
    }
  });

  it('uses the default device and lets users change it', () => {
    expect(torch.getDefaultDevice()).toBe('cpu');
    expect(() => torch.setDefaultDevice('nope')).toThrow(
      /Unknown device 'nope'. Registered devices: cpu/,
    );
  });
});
