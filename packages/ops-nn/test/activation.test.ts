import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
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
    expect(F.relu).toBe(torch.relu);
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
