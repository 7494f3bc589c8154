import { runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { relu } from '../src/functional/activation.js';
import { erf } from '../src/functional/erf.js';

const F = torch.nn.functional;

describe('activations', () => {
  it('erf is accurate to about 1e-15 (values from Python math.erf)', () => {
    const cases: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.49, 0.511668261188523],
      [1, 0.8427007929497149],
      [2.5, 0.999593047982555],
      [-3.3, -0.9999969422902035],
      [1e-8, 1.1283791670955126e-8],
    ];
    for (const [x, want] of cases)
      expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(1e-15 * Math.abs(want));
    expect(erf(Number.NaN)).toBeNaN();
    expect(erf(-40)).toBe(-1);
  });

  it('have PyTorch values and backward nodes', () => {
    const x = torch.tensor([-2, -0.5, 0, 1.5, 7], { requiresGrad: true });
    const y = F.gelu(x);
    expect(y.gradFn?.name).toBe('GeluBackward0');
    expect(Array.from(y.dataSync())[3]).toBeCloseTo(1.3997892, 6);
    expect(F.silu(x).gradFn?.name).toBe('SiluBackward0');
    expect(F.elu(x).gradFn?.name).toBe('EluBackward0');
    expect(F.leakyRelu(x).gradFn?.name).toBe('LeakyReluBackward0');
    expect(F.softplus(x).gradFn?.name).toBe('SoftplusBackward0');
    expect(F.hardtanh(x).gradFn?.name).toBe('HardtanhBackward0');
    expect(Array.from(F.relu6(x).dataSync())).toEqual([0, 0, 0, 1.5, 6]);
    expect(F.relu6(x).gradFn?.name).toBe('HardtanhBackward0');
    expect(Array.from(F.leakyRelu(x, 0.5).dataSync())).toEqual([-1, -0.25, 0, 1.5, 7]);
    // F.relu is core's relu, plus PyTorch's inplace option (relu_, ReluBackward0).
    expect(Array.from(F.relu(x).dataSync())).toEqual(Array.from(torch.relu(x).dataSync()));
    const target = x.detach().clone();
    expect(F.relu(target, { inplace: true })).toBe(target);
    expect(Array.from(target.dataSync())).toEqual([0, 0, 0, 1.5, 7]);
  });

  it('third derivatives of gelu (both forms) agree with finite differences', () => {
    const x = torch.tensor([-2.1, -0.4, 0.3, 1.7], { dtype: 'float64', requiresGrad: true });
    for (const approximate of ['none', 'tanh'] as const) {
      const f = (t: torch.Tensor) => {
        const [g] = torch.autograd.grad(F.gelu(t, { approximate }).sum(), [t], {
          createGraph: true,
        });
        return g!;
      };
      expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
    }
  });

  it('rejects bad arguments as PyTorch does', () => {
    const ints = torch.tensor([1, 2], { dtype: 'int32' });
    expect(() => F.gelu(ints)).toThrow(
      /gelu: expected input to be a floating point tensor, got int32/,
    );
    expect(() => F.silu(ints)).toThrow(/silu: expected input to be a floating point tensor/);
    expect(() => F.gelu(torch.ones(2), { approximate: 'erf' as never })).toThrow(
      /approximate argument must be either none or tanh/,
    );
    expect(() => F.hardtanh(torch.ones(2), 2, 1)).toThrow(/min_val cannot be greater than max_val/);
  });
});

describe('in-place activations', () => {
  const X0 = [-2.5, -0.75, -0.1, 0.3, 1.2, 7.5];
  const W = [1, -2, 3, 0.5, -1, 2];
  // `relu` is ops-nn's own (F.relu is core's relu, which takes no options).
  const inplaceForms: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    leakyRelu: (t) => F.leakyRelu(t, 0.1, { inplace: true }),
    elu: (t) => F.elu(t, 0.5, { inplace: true }),
    hardtanh: (t) => F.hardtanh(t, -1, 1, { inplace: true }),
    relu6: (t) => F.relu6(t, { inplace: true }),
    silu: (t) => F.silu(t, { inplace: true }),
    relu: (t) => relu(t, { inplace: true }),
  };
  const outOfPlace: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    leakyRelu: (t) => F.leakyRelu(t, 0.1),
    elu: (t) => F.elu(t, 0.5),
    hardtanh: (t) => F.hardtanh(t, -1, 1),
    relu6: (t) => F.relu6(t),
    silu: (t) => F.silu(t),
    relu: (t) => relu(t),
  };
  // From /usr/bin/python3 (PyTorch 1.13): x = tensor(X0, float64, requires_grad) * 1,
  // y = F.<op>(x, ..., inplace=True), (y * W).sum().backward(); [grad_fn name, y, x.grad].
  const TORCH: Record<string, [string, number[], number[]]> = {
    leakyRelu: [
      'LeakyReluBackward1',
      [-0.25, -0.07500000000000001, -0.010000000000000002, 0.3, 1.2, 7.5],
      [0.1, -0.2, 0.30000000000000004, 0.5, -1.0, 2.0],
    ],
    elu: [
      'EluBackward1',
      [-0.4589575006880506, -0.26381672362949266, -0.04758129098202024, 0.3, 1.2, 7.5],
      [0.04104249931194942, -0.4723665527410147, 1.3572561270539394, 0.5, -1.0, 2.0],
    ],
    hardtanh: [
      'HardtanhBackward0',
      [-1.0, -0.75, -0.1, 0.3, 1.0, 1.0],
      [0.0, -2.0, 3.0, 0.5, 0.0, 0.0],
    ],
    relu6: ['HardtanhBackward0', [0, 0, 0, 0.3, 1.2, 6.0], [0, 0, 0, 0.5, -1.0, 0]],
    silu: [
      'SiluBackward0',
      [
        -0.18964545005310887, -0.24061597561845527, -0.047502081252106004, 0.1723327550434977,
        0.9222297401988211, 7.4958541602230735,
      ],
      [
        -0.09940111134152683, -0.314800111006493, 1.3502496255053125, 0.32389000515944144,
        -0.9819981122751844, 2.007181538816685,
      ],
    ],
    relu: ['ReluBackward0', [0, 0, 0, 0.3, 1.2, 7.5], [0, 0, 0, 0.5, -1.0, 2.0]],
  };
  const close = (got: number[], want: number[]) => {
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-12);
  };

  it('overwrite the input with PyTorch values, gradients and backward nodes', () => {
    for (const [name, f] of Object.entries(inplaceForms)) {
      const [node, values, grads] = TORCH[name]!;
      const x = torch.tensor(X0, { dtype: 'float64', requiresGrad: true });
      const a = x.mul(1);
      const before = a.version;
      const y = f(a);
      expect(y, name).toBe(a);
      expect(a.version, name).toBe(before + 1);
      expect(y.gradFn?.name, name).toBe(node);
      close(a.tolist() as number[], values);
      y.mul(torch.tensor(W, { dtype: 'float64' }))
        .sum()
        .backward();
      close(x.grad!.tolist() as number[], grads);
    }
  });

  it('match the out-of-place forms in value and first/second-order gradients (float64)', () => {
    // Away from the kinks, where finite differences are meaningful.
    const x = torch.tensor([-2.3, -0.7, -0.2, 0.4, 0.9, 1.6], {
      dtype: 'float64',
      requiresGrad: true,
    });
    for (const [name, f] of Object.entries(inplaceForms)) {
      const g = (t: torch.Tensor) => f(t.mul(1));
      expect(g(x).tolist(), name).toEqual(outOfPlace[name]!(x).tolist());
      expect(torch.autograd.gradcheck(g, [x]), name).toBe(true);
      expect(torch.autograd.gradgradcheck(g, [x]), name).toBe(true);
    }
  });

  it('refuse a leaf that requires grad, and write plain tensors without a graph', () => {
    for (const [name, f] of Object.entries(inplaceForms)) {
      const leaf = torch.tensor([1, -1], { requiresGrad: true });
      expect(() => f(leaf), name).toThrow(
        /a leaf Variable that requires grad is being used in an in-place operation/,
      );
      expect(leaf.tolist(), name).toEqual([1, -1]);
      const plain = torch.tensor([-1, 2]);
      expect(f(plain), name).toBe(plain);
      expect(plain.gradFn, name).toBeNull();
      expect(plain.version, name).toBe(1);
      // Under no_grad a leaf that requires grad may be overwritten, as in PyTorch.
      const guarded = torch.tensor([-1, 2], { requiresGrad: true });
      torch.noGrad(() => f(guarded));
      expect((guarded.tolist() as number[])[1], name).toBe(
        outOfPlace[name]!(torch.tensor([2])).item(),
      );
    }
  });

  it('overwriting a tensor saved for backward fails at backward as in PyTorch', () => {
    for (const [name, f] of Object.entries(inplaceForms)) {
      const x = torch.tensor([-1.5, 0.5, 2], { dtype: 'float64', requiresGrad: true });
      const a = x.mul(1);
      const b = a.mul(a); // saves a
      f(a);
      expect(() => b.sum().backward(), name).toThrow(
        /one of the variables needed for gradient computation has been modified by an inplace operation/,
      );
    }
  });

  it('reject a negative slope at backward, as PyTorch’s in-place forms do', () => {
    const x = torch.tensor([-1, 2], { requiresGrad: true });
    const y = F.leakyRelu(x.mul(1), -0.1, { inplace: true });
    expect((y.tolist() as number[])[0]).toBeCloseTo(0.1, 6);
    expect(() => y.sum().backward()).toThrow(
      /In-place leakyReLu backward calculation is triggered with a negative slope which is not supported/,
    );
    const z = F.elu(x.mul(1), -0.5, { inplace: true });
    expect(() => z.sum().backward()).toThrow(/In-place elu backward calculation/);
    // A zero slope is fine (PyTorch: grad [0, 1]).
    const x0 = torch.tensor([-1, 2], { requiresGrad: true });
    F.leakyRelu(x0.mul(1), 0, { inplace: true }).sum().backward();
    expect(x0.grad!.tolist()).toEqual([0, 1]);
  });

  it('write through a view into its base', () => {
    const x = torch.tensor([-2, -1, 1, 2], { dtype: 'float64', requiresGrad: true });
    const a = x.mul(1);
    F.leakyRelu(a.narrow(0, 1, 2), 0.5, { inplace: true });
    expect(a.tolist()).toEqual([-2, -0.5, 1, 2]);
    a.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 0.5, 1, 1]);
  });
});

// The in-place forms' own ops (forward = the activation, backward from the result) through the
// registry-driven checks: float64 finite differences of first and second order, and
// non-contiguous inputs against contiguous ones. Their values are checked against PyTorch above.
runConformance({
  describe,
  it,
  ops: ['nn.leakyRelu_', 'nn.elu_', 'nn.hardtanh_'],
  checks: ['forward', 'gradcheck', 'gradgradcheck', 'layouts'],
});
