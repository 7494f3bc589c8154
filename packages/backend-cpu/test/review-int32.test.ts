import { type ElementwiseSpec, elementwiseKernel, setCodegen } from '@autodag/backend-cpu';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { BINARY, UNARY } from '../src/kernels/elementwise.js';
import ref from './fixtures/int32_wrap.json';

// int32 products that overflow wrap modulo 2**32 in PyTorch; a float64 product rounds first
// (above 2**53) and so loses the low bits the wrap keeps.
const int = (v: number[]) => torch.tensor(v, { dtype: 'int32' });

describe('int32 multiplication and powers wrap exactly, as PyTorch', () => {
  it('mul of two tensors', () => {
    expect(int(ref.a).mul(int(ref.b)).tolist()).toEqual(ref.mul);
  });

  it('mul by an int scalar', () => {
    const r = int(ref.a).mul(1000003);
    expect(r.dtype).toBe('int32');
    expect(r.tolist()).toEqual(ref.mulScalar);
  });

  it('pow with a tensor exponent, including negative exponents', () => {
    expect(int(ref.a).pow(int(ref.e)).tolist()).toEqual(ref.pow);
    expect(
      int(ref.neg)
        .pow(int(ref.neg.map(() => -1)))
        .tolist(),
    ).toEqual(ref.powNeg);
  });

  it('pow with a number exponent', () => {
    expect(int(ref.a).pow(2).tolist()).toEqual(ref.pow2);
    expect(int(ref.a).pow(3).tolist()).toEqual(ref.pow3);
    expect(int(ref.a).pow(7).tolist()).toEqual(ref.pow7);
  });

  it('strided and broadcast operands take the same int32 loop', () => {
    const a = int(ref.a).reshape([2, 3]).t();
    const b = int(ref.b).reshape([2, 3]).t();
    expect(a.mul(b).t().reshape([6]).tolist()).toEqual(ref.mul);
  });

  it('the closure fallback (no code generation) wraps the same way', () => {
    setCodegen(false);
    try {
      // Kernels built here have no generated loops cached, so they run the int fallbacks.
      const run = (spec: ElementwiseSpec, a: torch.Tensor, b: torch.Tensor, attrs = {}) => {
        const out = torch.empty([a.numel()], { dtype: 'int32' });
        elementwiseKernel(2, spec)([a, b], [out], attrs);
        return out.tolist();
      };
      expect(run(BINARY.mul!, int(ref.a), int(ref.b))).toEqual(ref.mul);
      expect(run(BINARY.pow!, int(ref.a), int(ref.e))).toEqual(ref.pow);
      const cube = torch.empty([6], { dtype: 'int32' });
      elementwiseKernel(1, UNARY.powScalar!)([int(ref.a)], [cube], { exponent: 7 });
      expect(cube.tolist()).toEqual(ref.pow7);
    } finally {
      setCodegen(true);
    }
  });
});
