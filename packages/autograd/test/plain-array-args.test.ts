import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/** autograd's entry points answer a plain array where a tensor is expected with one TypeError. */

const { functional } = torch.autograd;
const notArray = (fn: string, arg: string) =>
  new RegExp(`^${fn}\\(\\): argument '${arg}'.* not an array \\(wrap it with torch.tensor`);

function leaf(): torch.Tensor {
  return torch.tensor([1, 2], { requiresGrad: true });
}

describe('a plain array where autograd expects a tensor', () => {
  it('backward names the gradient and the inputs', () => {
    const x = leaf();
    const y = x.mul(2);
    expect(() => y.backward([1, 1] as never)).toThrow(notArray('backward', 'gradient'));
    expect(() => y.sum().backward(null, { inputs: [[1, 2]] as never })).toThrow(
      notArray('backward', 'inputs'),
    );
    expect(() => torch.autograd.backward([1, 2] as never, null, {})).toThrow(
      notArray('backward', 'self'),
    );
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('grad names outputs, inputs and gradOutputs', () => {
    const x = leaf();
    const y = x.mul(2);
    expect(() => torch.grad([1, 2] as never, x)).toThrow(notArray('grad', 'outputs'));
    expect(() => torch.grad(y.sum(), [1, 2] as never)).toThrow(notArray('grad', 'inputs'));
    expect(() => torch.grad(y.sum(), [x, [1, 2]] as never)).toThrow(
      "grad(): argument 'inputs' (element 1) must be a Tensor, not an array",
    );
    expect(() => torch.grad(y, x, { gradOutputs: [[1, 1]] as never })).toThrow(
      notArray('grad', 'gradOutputs'),
    );
    // null still means "no gradient given": the scalar rule applies, not the type check.
    expect(() => torch.grad(y, x, { gradOutputs: null })).toThrow(
      'grad can be implicitly created only for scalar outputs',
    );
  });

  it('the functional API names its function and argument', () => {
    const fn = (t: torch.Tensor) => t.pow(2).sum();
    const x = torch.tensor([1, 2]);
    expect(() => functional.jacobian(fn, [1, 2] as never)).toThrow(notArray('jacobian', 'inputs'));
    expect(() => functional.hessian(fn, [1, 2] as never)).toThrow(notArray('hessian', 'inputs'));
    expect(() => functional.vjp(fn, [1, 2] as never)).toThrow(notArray('vjp', 'inputs'));
    expect(() => functional.jvp(fn, x, [1, 1] as never)).toThrow(notArray('jvp', 'v'));
    expect(() => functional.vjp((t) => t.mul(2), x, [1, 1] as never)).toThrow(notArray('vjp', 'v'));
  });

  it('Dag names the method and the input or parameter', () => {
    const g = new torch.autograd.Dag();
    expect(() => g.parameter('w', [1, 2] as never)).toThrow(notArray('Dag.parameter', 'value'));
    const x = g.input('x');
    g.output(g.node('y', 'neg', { inputs: [x] }));
    expect(() => g.forward({ x: [1, 2] as never })).toThrow(notArray('Dag.forward', 'x'));
  });
});
