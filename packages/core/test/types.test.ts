import * as torch from 'autodag';
import { describe, expect, expectTypeOf, it } from 'vitest';

/**
 * Type-level contracts of tensor reads, checked by `npm run typecheck` (the `@ts-expect-error`
 * lines must fail to compile) and run as ordinary tests.
 */
describe('types of tensor reads', () => {
  it('item() is a number, for bool tensors too; isNonzero() is the boolean', () => {
    const loss = torch.tensor(0.25);
    expectTypeOf(loss.item()).toEqualTypeOf<number>();
    expect(loss.item().toFixed(4)).toBe('0.2500');
    expectTypeOf(loss.isNonzero()).toEqualTypeOf<boolean>();
    expect(torch.tensor(true).item()).toBe(1);
    expect(torch.tensor([false]).item()).toBe(0);
    expect(torch.tensor(Number.NaN).isNonzero()).toBe(true);
    expect(torch.tensor([0]).isNonzero()).toBe(false);
    expect(() => torch.tensor([1, 1]).isNonzero()).toThrow(
      'Boolean value of Tensor with more than one value is ambiguous',
    );
    expect(() => torch.zeros(0).isNonzero()).toThrow(
      'Boolean value of Tensor with no values is ambiguous',
    );
  });

  it('tolist() keeps booleans, as PyTorch does, in a union the caller narrows', () => {
    const mask = torch.tensor([1, -1]).gt(0);
    expectTypeOf(mask.tolist()).toEqualTypeOf<torch.NestedArray>();
    expect(mask.tolist() as boolean[]).toEqual([true, false]);
    expectTypeOf(torch.ones(2).array()).resolves.toEqualTypeOf<torch.NestedArray>();
  });

  it('rejects wrong calls at compile time', () => {
    const typeOnly = () => {
      // @ts-expect-error item() is a number, not a boolean
      const flag: boolean = torch.tensor(true).item();
      // @ts-expect-error a plain array is not a Tensor
      torch.ones(2).matmul([1, 2]);
      // @ts-expect-error a plain array is neither a Tensor nor a number
      torch.add(torch.ones(2), [1, 2]);
      // @ts-expect-error tolist() needs narrowing before number methods
      torch.ones(2).tolist().toFixed(2);
      return flag;
    };
    expect(typeof typeOnly).toBe('function');
  });
});
