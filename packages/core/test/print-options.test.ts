import { inspect } from 'node:util';
import * as torch from 'autodag';
import { afterEach, describe, expect, it } from 'vitest';
import { hostBackend } from './host-backend.js';

afterEach(() => torch.setPrintoptions({ profile: 'default' }));

function withBackend(backend: torch.Backend, fn: () => Promise<void> | void) {
  return async () => {
    torch.registerBackend(backend);
    try {
      await fn();
    } finally {
      torch.unregisterBackend(backend.name);
    }
  };
}

describe('Tensor toString and util.inspect', () => {
  it('console.log, String() and template literals all print the repr', () => {
    const t = torch.tensor([1, 10], { dtype: 'int32' });
    expect(inspect(t)).toBe('tensor([ 1, 10])');
    expect(`${t}`).toBe('tensor([ 1, 10])');
    expect(String(torch.tensor([true, false]))).toBe('tensor([ True, False])');
    expect(inspect({ w: torch.tensor(2.5) })).toBe('{ w: tensor(2.5000) }');
    expect(torch.empty(2, 5).size().toString()).toBe('Size([2, 5])');
  });

  it('formatTensor is what toString returns', () => {
    const t = torch.tensor([[0.1, 0.05]], { requiresGrad: true });
    expect(torch.formatTensor(t)).toBe(t.toString());
    expect(t.toString()).toBe('tensor([[0.1000, 0.0500]], requiresGrad=True)');
  });

  it('reads through strides and offsets without running ops', () => {
    const x = torch.arange(12).reshape(3, 4);
    expect(x.t().toString()).toBe(
      'tensor([[ 0,  4,  8],\n        [ 1,  5,  9],\n        [ 2,  6, 10],\n        [ 3,  7, 11]])',
    );
    expect(torch.select(x, 0, 2).toString()).toBe('tensor([ 8,  9, 10, 11])');
  });

  it('says when a tensor was disposed instead of throwing', () => {
    const t = torch.ones(2, 3);
    t.dispose();
    expect(t.toString()).toBe('tensor(<disposed>, size=(2, 3))');
  });
});

describe('tensors on other devices', () => {
  it(
    'adds a device suffix for non-CPU tensors',
    withBackend(hostBackend('fakegpu'), () => {
      const t = torch.tensor([1.5, 2], { device: 'fakegpu' });
      expect(t.toString()).toBe("tensor([1.5000, 2.0000], device='fakegpu')");
      const d = torch.tensor([1, 2], { device: 'fakegpu', dtype: 'float64', requiresGrad: true });
      expect(d.toString()).toBe(
        "tensor([1., 2.], device='fakegpu', dtype=torch.float64, requiresGrad=True)",
      );
    }),
  );

  it(
    'prints a placeholder naming the async read where values cannot be read synchronously',
    withBackend(hostBackend('webgpu', { sync: false }), async () => {
      const t = torch.tensor([[1, 2, 3]], { device: 'webgpu' });
      expect(t.toString()).toBe(
        "tensor(<values on 'webgpu' cannot be read synchronously: use 'await t.data()' or 'await torch.formatTensorAsync(t)'>,\n       size=(1, 3), device='webgpu')",
      );
      expect(inspect(t)).toContain('await t.data()');
      expect(await torch.formatTensorAsync(t)).toBe("tensor([[1., 2., 3.]], device='webgpu')");
    }),
  );
});

describe('setPrintoptions', () => {
  it('changes precision, threshold, edgeitems and linewidth', () => {
    torch.setPrintoptions({ precision: 2 });
    expect(torch.tensor([1.12345]).toString()).toBe('tensor([1.12])');
    torch.setPrintoptions({ threshold: 5 });
    expect(torch.arange(10).toString()).toBe('tensor([0, 1, 2,  ..., 7, 8, 9])');
    torch.setPrintoptions({ threshold: 5, edgeitems: 1 });
    expect(torch.arange(10).toString()).toBe('tensor([0,  ..., 9])');
    torch.setPrintoptions({ profile: 'default', linewidth: 20 });
    expect(torch.arange(6).toString()).toBe('tensor([0, 1, 2, 3,\n        4, 5])');
    torch.setPrintoptions({ profile: 'default' });
    expect(torch.tensor([1.12345]).toString()).toBe('tensor([1.1235])');
    expect(torch.getPrintoptions()).toEqual({
      precision: 4,
      threshold: 1000,
      edgeitems: 3,
      linewidth: 80,
      sciMode: undefined,
    });
  });

  it('forces scientific notation on and off, and, like PyTorch, resets sciMode when omitted', () => {
    torch.setPrintoptions({ sciMode: true });
    expect(torch.tensor([0.5, 0.25]).toString()).toBe('tensor([5.0000e-01, 2.5000e-01])');
    torch.setPrintoptions({ precision: 3 });
    expect(torch.getPrintoptions().sciMode).toBeUndefined();
    expect(torch.tensor([0.5, 0.25]).toString()).toBe('tensor([0.500, 0.250])');
    torch.setPrintoptions({ sciMode: false, precision: 4 });
    // The width still comes from the automatic (scientific) choice, as in PyTorch.
    expect(torch.tensor([1e-6, 1]).toString()).toBe('tensor([    0.0000,     1.0000])');
  });

  it('profiles: full never summarises, short uses 2 digits and 2 edge items', () => {
    torch.setPrintoptions({ profile: 'full' });
    expect(torch.arange(1001).toString()).not.toContain('...');
    torch.setPrintoptions({ profile: 'short' });
    expect(torch.arange(1001).div(4).toString()).toBe(
      'tensor([  0.00,   0.25,  ..., 249.75, 250.00])',
    );
  });

  it('rejects invalid options with the option named', () => {
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow(
      /precision must be an integer >= 0/,
    );
    expect(() => torch.setPrintoptions({ edgeitems: 0 })).toThrow(/edgeitems/);
    expect(() => torch.setPrintoptions({ linewidth: 1.5 })).toThrow(/linewidth/);
    expect(() => torch.setPrintoptions({ threshold: Number.NaN })).toThrow(/threshold/);
    expect(() => torch.setPrintoptions({ profile: 'long' as unknown as 'full' })).toThrow(
      /unknown profile "long"/,
    );
    expect(() => torch.setPrintoptions({ sciMode: 1 as unknown as boolean })).toThrow(TypeError);
    expect(torch.getPrintoptions().precision).toBe(4);
  });
});
