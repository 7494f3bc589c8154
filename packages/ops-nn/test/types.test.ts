import * as torch from 'autodag';
import { describe, expect, expectTypeOf, it } from 'vitest';

/**
 * `Module.call` is typed by the module's own `forward`: built-in layers, Sequential and user
 * subclasses give `Tensor`, tuple-returning modules their tuple. Checked by `npm run typecheck`
 * (the `@ts-expect-error` lines must fail to compile) and run as ordinary tests.
 */

type Tensor = torch.Tensor;
const { nn } = torch;

class Net extends nn.Module {
  fc = new nn.Linear(4, 2);
  override forward(x: Tensor): Tensor {
    return this.fc.call(x).relu();
  }
}

describe('types of Module.call', () => {
  const x = torch.randn(3, 4);

  it('gives Tensor for Sequential, built-in layers, losses and user subclasses', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    expectTypeOf(model.call(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(model.forward(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new nn.Linear(4, 2).call(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new nn.Conv2d(1, 1, 1).call).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(new Net().call(x)).toEqualTypeOf<Tensor>();
    const loss = new nn.MSELoss().call(model.call(x), torch.zeros(3, 2));
    expectTypeOf(loss).toEqualTypeOf<Tensor>();
    expect(loss.item().toFixed(4)).toMatch(/^\d+\.\d{4}$/);
    expect(new Net().call(x).shape).toEqual([3, 2]);
  });

  it('keeps tuple results and lets Sequential name other types', () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const q = torch.randn(2, 1, 4);
    expectTypeOf(mha.call(q, q, q)).toEqualTypeOf<[Tensor, Tensor | null]>();
    const [out, weights] = mha.call(q, q, q);
    expect([out.shape, weights?.shape]).toEqual([
      [2, 1, 4],
      [1, 2, 2],
    ]);
    const pairs = new nn.Sequential<Tensor, [Tensor, Tensor]>(
      new nn.MaxPool2d(2, { returnIndices: true }),
    );
    expectTypeOf(pairs.call(torch.randn(1, 1, 2, 2))).toEqualTypeOf<[Tensor, Tensor]>();
  });

  it('gives unknown, not any, for a value typed only as Module', () => {
    const m: torch.nn.Module = new Net();
    expectTypeOf(m.call(x)).toEqualTypeOf<unknown>();
  });

  it('rejects wrong calls at compile time', () => {
    const typeOnly = () => {
      const model = new nn.Sequential(new nn.Linear(4, 2));
      // @ts-expect-error Sequential takes a Tensor, not a plain array
      model.call([1, 2, 3, 4]);
      // @ts-expect-error Linear takes a Tensor
      new nn.Linear(4, 2).call([[1, 2, 3, 4]]);
      // @ts-expect-error Net.forward takes one argument
      new Net().call(x, x);
      // @ts-expect-error a Tensor is not a string
      const s: string = model.call(x);
      // @ts-expect-error MultiheadAttention returns a tuple, not a Tensor
      const t: Tensor = new nn.MultiheadAttention(4, 2).call(x, x, x);
      return [s, t];
    };
    expect(typeof typeOnly).toBe('function');
  });
});
