import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('tensor creation', () => {
  it('infers dtypes like the spec: numbers float32, booleans bool, Int32Array int32', () => {
    expect(torch.tensor([1, 10]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.tensor(new Int32Array([1, 10])).dtype).toBe('int32');
    expect(torch.tensor([1, 10], { dtype: 'int32' }).dtype).toBe('int32');
    expect(torch.tensor(new Float64Array([1])).dtype).toBe('float64');
    expect(torch.tensor(3).shape).toEqual([]);
  });

  it('accepts sizes as arguments or as one array, with options last', () => {
    expect(torch.empty(2, 5).shape).toEqual([2, 5]);
    expect(torch.zeros([2, 5]).shape).toEqual([2, 5]);
    expect(torch.ones(2, 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([1], true).dtype).toBe('bool');
    expect(torch.zerosLike(torch.ones(3, { dtype: 'int32' })).dtype).toBe('int32');
  });

  it('builds ranges and identity matrices', () => {
    expect(torch.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(5).dtype).toBe('int32');
    expect(torch.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    // Options after one or two bounds, like PyTorch's dtype= keyword.
    expect(torch.arange(3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(torch.arange(3, { dtype: 'float64' }).tolist()).toEqual([0, 1, 2]);
    expect(torch.arange(1, 4, { dtype: 'float32' }).tolist()).toEqual([1, 2, 3]);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.logspace(0, 2, 3).tolist()).toEqual([1, 10, 100]);
    expect(torch.logspace(0, 3, 4, 2).tolist()).toEqual([1, 2, 4, 8]);
    const l = torch.logspace(-1, 1, 3, { base: 10, dtype: 'float64' });
    expect([l.dtype, l.tolist()]).toEqual(['float64', [0.1, 1, 10]]);
    expect(torch.eye(2, 3).tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('draws reproducible random values from a seed', () => {
    torch.manualSeed(7);
    const a = torch.rand(4).tolist();
    torch.manualSeed(7);
    expect(torch.rand(4).tolist()).toEqual(a);
    const r = Array.from(torch.rand(1000).dataSync());
    expect(Math.min(...r)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r)).toBeLessThan(1);
    const n = Array.from(torch.randn(20000).dataSync());
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('reproduces PyTorch CPU generator draws for the same seed', () => {
    // Values printed by torch 1.13: torch.manual_seed(0) followed by each call.
    torch.manualSeed(0);
    expect(torch.rand(3).tolist()).toEqual([
      0.49625658988952637, 0.7682217955589294, 0.08847743272781372,
    ]);
    torch.manualSeed(0);
    expect(torch.rand(2, { dtype: 'float64' }).tolist()).toEqual([
      0.9700530018065531, 0.707819864399788,
    ]);
    torch.manualSeed(0);
    const small = torch.randn(3).tolist() as number[];
    for (const [i, v] of [1.5409960746765137, -0.293428897857666, -2.1787893772125244].entries()) {
      expect(small[i]).toBeCloseTo(v, 6);
    }
    torch.manualSeed(0);
    const big = torch.randn(20).tolist() as number[];
    const expected: [number, number][] = [
      [0, -1.1258398294448853],
      [1, -1.152360200881958],
      [15, -0.843676745891571],
      [16, 0.9318265914916992],
      [19, 0.05373690277338028],
    ];
    for (const [i, v] of expected) expect(big[i]).toBeCloseTo(v, 6);
  });

  it('gives clear errors for ragged data, bad sizes and bad dtypes', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(
      'tensor(): expected sequence of length 2 at dim 1 (got 1)',
    );
    expect(() => torch.zeros(2, -1)).toThrow(/zeros: invalid shape \[2, -1\]/);
    expect(() => torch.tensor([1], { dtype: 'float16' as never })).toThrow(
      /unknown dtype "float16"/,
    );
  });

  it('only lets floating tensors require grad, with the seed message', () => {
    const x = torch.tensor([1, 10]);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    const i = torch.tensor([1, 10], { dtype: 'int32' });
    expect(() => {
      i.requiresGrad = true;
    }).toThrow('only Tensors of floating point dtype can require gradients');
  });
});
