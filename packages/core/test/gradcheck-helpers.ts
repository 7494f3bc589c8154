import * as torch from 'autodag';
import { expect } from 'vitest';

/** Shared by the shape and indexing gradient tests: float64 leaves and a gradcheck assertion. */

/** A float64 leaf of `shape` with normal random values. @example f64(2, 3) */
export const f64 = (...shape: number[]) => torch.randn(shape, { dtype: 'float64' }).requiresGrad_();

/**
 * Expects `fn` to pass float64 central-difference gradcheck at `inputs`.
 * @example check((x) => x.t(), [f64(2, 3)])
 */
export const check = (
  fn: (...xs: torch.Tensor[]) => torch.Tensor | torch.Tensor[],
  inputs: torch.Tensor[],
) => expect(torch.autograd.gradcheck(fn as torch.autograd.GradcheckFn, inputs)).toBe(true);
