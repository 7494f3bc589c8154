import * as torch from 'autodag';
import { describe, expect, it, vi } from 'vitest';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

describe('gradcheck', () => {
  it('passes for correct gradients of several inputs and outputs', () => {
    const a = torch.randn(3, 4, f64);
    const b = torch.randn(4, 2, f64);
    const fn = (x: torch.Tensor, y: torch.Tensor) => [x.matmul(y).tanh(), x.exp().sum()];
    expect(torch.autograd.gradcheck(fn, [a, b])).toBe(true);
  });

  it('accepts a single tensor and a function of non-contiguous inputs', () => {
    const x = torch.randn(3, 2, { dtype: 'float64' }).t().requiresGrad_();
    expect(x.isContiguous()).toBe(false);
    expect(torch.autograd.gradcheck((t: torch.Tensor) => t.mul(t).add(1).log(), x)).toBe(true);
  });

  it('skips inputs that do not require grad and non-tensor arguments', () => {
    const x = torch.randn(4, f64);
    const c = torch.randn(4, { dtype: 'float64' });
    const fn = (t: torch.Tensor, k: number, u: torch.Tensor) => t.mul(u).mul(k);
    expect(torch.autograd.gradcheck(fn, [x, 3, c])).toBe(true);
  });

  it('reports the worst entry of a wrong gradient', () => {
    // A custom op whose VJP is off by a factor 2 on element 1.
    const bad = torch.defineOp(
      {
        name: 'test.badsquare',
        inputs: ['x'],
        composite: ([x]) => {
          const y = torch.noGrad(() => x!.mul(x!));
          if (x!.requiresGrad) {
            const out = y.detach();
            const scale = torch.tensor([1, 2, 1], { dtype: 'float64' });
            torch
              .getAutograd()
              .recordFunction('BadSquareBackward', [x!], [out], ([g]) => [
                g!.mul(x!).mul(2).mul(scale),
              ]);
            return out;
          }
          return y;
        },
      },
      { override: true },
    );
    const x = torch.tensor([1, 2, 3], f64);
    const fn = (t: torch.Tensor) => torch.callOp(bad, [t]) as torch.Tensor;
    expect(() => torch.autograd.gradcheck(fn, [x])).toThrow(
      /Jacobian mismatch for output 0 with respect to input 0: worst at input element \[1\] of \[3\], output element \[1\] of \[3\]: numerical 4\.0\d* vs analytical 8/,
    );
    expect(torch.autograd.gradcheck(fn, [x], { raiseException: false })).toBe(false);
  });

  it('warns about and advises double precision for float32 inputs', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = torch.tensor([0.3, 0.7, 1.1], { requiresGrad: true });
    expect(() => torch.autograd.gradcheck((t: torch.Tensor) => t.exp(), [x])).toThrow(
      /double precision/,
    );
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Input #0 .*double precision/));
    warn.mockRestore();
  });

  it('throws when no input requires grad', () => {
    const x = torch.randn(2, { dtype: 'float64' });
    expect(() => torch.autograd.gradcheck((t: torch.Tensor) => t.exp(), [x])).toThrow(
      /at least one input tensor to require gradient/,
    );
  });
});

describe('gradgradcheck', () => {
  it('passes for second derivatives of smooth functions', () => {
    const x = torch.randn(3, f64);
    const w = torch.randn(3, 3, f64);
    expect(
      torch.autograd.gradgradcheck((a: torch.Tensor, m: torch.Tensor) => m.mv(a).tanh(), [x, w]),
    ).toBe(true);
  });

  it('accepts explicit gradOutputs', () => {
    const x = torch.randn(2, 2, f64);
    const go = torch.randn(2, 2, f64);
    expect(
      torch.autograd.gradgradcheck((a: torch.Tensor) => a.mul(a).mul(a), [x], go, { atol: 1e-5 }),
    ).toBe(true);
  });

  it('catches a wrong second derivative', () => {
    // First derivative right, but computed with a detached factor: the second derivative is lost.
    const cube = torch.defineOp(
      {
        name: 'test.cubeDetachedGrad',
        inputs: ['x'],
        composite: ([x]) => {
          const out = torch.noGrad(() => x!.mul(x!).mul(x!));
          if (x!.requiresGrad) {
            torch
              .getAutograd()
              .recordFunction('CubeBackward', [x!], [out], ([g]) => [
                g!.mul(x!.detach().mul(x!.detach()).mul(3)),
              ]);
          }
          return out;
        },
      },
      { override: true },
    );
    const x = torch.tensor([0.5, -1.5], f64);
    const fn = (t: torch.Tensor) => torch.callOp(cube, [t]) as torch.Tensor;
    expect(torch.autograd.gradcheck(fn, [x])).toBe(true);
    expect(() => torch.autograd.gradgradcheck(fn, [x])).toThrow(/Jacobian mismatch/);
  });
});
