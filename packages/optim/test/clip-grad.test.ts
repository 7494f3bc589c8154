import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose, make, tolerance } from './helpers.js';

interface NormCase {
  maxNorm: number;
  normType: number | 'inf';
  dtype: 'float32' | 'float64';
  shapes: number[][];
  grads: (number[] | null)[];
  totalNorm: number;
  clipped: (number[] | null)[];
}

const fixture: {
  norm: NormCase[];
  value: { clipValue: number; grad: number[]; clipped: number[] };
} = JSON.parse(readFileSync(new URL('./fixtures/clip_grad.json', import.meta.url), 'utf8'));

describe('clipGradNorm_ against PyTorch 1.13', () => {
  it.each(fixture.norm.map((c) => [`max ${c.maxNorm}, p=${c.normType}, ${c.dtype}`, c] as const))(
    '%s',
    (_name, c) => {
      const params = c.shapes.map((s) => torch.zeros(s, { dtype: c.dtype }).requiresGrad_());
      params.forEach((p, j) => {
        const g = c.grads[j];
        p.grad = g ? make(g, c.shapes[j]!, c.dtype) : null;
      });
      const normType = c.normType === 'inf' ? Number.POSITIVE_INFINITY : c.normType;
      const total = torch.optim.clipGradNorm_(params, c.maxNorm, normType);
      const [rtol, atol] = tolerance(c.dtype);
      expect(total.shape).toEqual([]);
      expect(total.dtype).toBe(c.dtype);
      expectClose([total.item() as number], [c.totalNorm], 'total norm', rtol, atol);
      params.forEach((p, j) => {
        const want = c.clipped[j];
        if (want === null) expect(p.grad).toBeNull();
        else expectClose(p.grad!.dataSync(), want!, `grad ${j}`, rtol, atol);
      });
    },
  );

  it("accepts 'inf', a single tensor, and returns 0 without gradients", () => {
    const p = torch.zeros(3).requiresGrad_();
    expect(torch.optim.clipGradNorm_(p, 1).item()).toBe(0);
    p.grad = torch.tensor([3, -4, 0]);
    expect(torch.optim.clipGradNorm_(p, 10, 'inf').item()).toBe(4);
    expect(torch.optim.clipGradNorm_([p], 10).item()).toBeCloseTo(5, 6);
    expect(Array.from(p.grad.dataSync())).toEqual([3, -4, 0]);
  });

  it('errorIfNonfinite throws for a NaN or infinite total norm', () => {
    const p = torch.zeros(2).requiresGrad_();
    p.grad = torch.tensor([Number.POSITIVE_INFINITY, 1]);
    expect(() => torch.optim.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true })).toThrow(
      'The total norm of order 2 for gradients from `parameters` is non-finite',
    );
    const total = torch.optim.clipGradNorm_([p], 1);
    expect(total.item()).toBe(Number.POSITIVE_INFINITY);
  });

  it('errors name the function and what it was given', () => {
    const p = torch.zeros(2).requiresGrad_();
    expect(() => torch.optim.clipGradNorm_([p, 3 as never], 1)).toThrow(
      "clipGradNorm_(): argument 'parameters' (element 1) must be a Tensor, not a number (wrap it with torch.tensor(...))",
    );
    expect(() => torch.optim.clipGradValue_([null as never], 1)).toThrow(
      "clipGradValue_(): argument 'parameters' (element 0) must be a Tensor, not null",
    );
    expect(() => torch.optim.clipGradNorm_({} as never, 1)).toThrow(
      "clipGradNorm_(): argument 'parameters' must be a Tensor or an iterable of Tensors, not an object",
    );
  });

  it('does not record the scaling in the autograd graph', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    torch.optim.clipGradNorm_([w], 1);
    expect(w.grad!.requiresGrad).toBe(false);
    expect(w.grad!.norm().item()).toBeCloseTo(1, 5);
  });
});

describe('clipGradValue_ against PyTorch 1.13', () => {
  it('clamps every gradient to [-clipValue, clipValue]', () => {
    const { clipValue, grad, clipped } = fixture.value;
    const p = torch.zeros(grad.length).requiresGrad_();
    const q = torch.zeros(2).requiresGrad_();
    p.grad = torch.tensor(grad);
    torch.optim.clipGradValue_([p, q], clipValue);
    expectClose(p.grad.dataSync(), clipped, 'clipped', 1e-6, 1e-7);
    expect(q.grad).toBeNull();
    expect(Math.max(...Array.from(p.grad.dataSync()).map(Math.abs))).toBeLessThanOrEqual(clipValue);
  });
});
