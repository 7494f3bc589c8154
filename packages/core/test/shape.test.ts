import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { check, f64 } from './gradcheck-helpers.js';

interface InputSpec {
  base: number[];
  perm?: number[];
  add?: number;
}
interface Result {
  shape: number[];
  values: number[];
}
interface Case {
  op: string;
  inputs: InputSpec[];
  args: Record<string, unknown>;
  expected: Result | Result[];
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('./fixtures/shape.json', import.meta.url), 'utf8'),
);

/** The fixture's input: arange values (plus `add`) laid out as `base`, then permuted. */
function makeInput(spec: InputSpec, dtype: torch.DType = 'float32'): torch.Tensor {
  const n = spec.base.reduce((a, b) => a * b, 1);
  let x = torch
    .arange(n)
    .reshape(spec.base)
    .to({ dtype })
    .add(spec.add ?? 0);
  if (spec.perm) x = x.permute(spec.perm);
  return x;
}

function apply(
  op: string,
  xs: torch.Tensor[],
  // biome-ignore lint/suspicious/noExplicitAny: fixture arguments are heterogeneous JSON
  a: Record<string, any>,
): torch.Tensor | torch.Tensor[] {
  const x = xs[0]!;
  switch (op) {
    case 'cat':
      return torch.cat(xs, a.dim);
    case 'stack':
      return torch.stack(xs, a.dim);
    case 'split':
      return x.split(a.size, a.dim);
    case 'chunk':
      return x.chunk(a.chunks, a.dim);
    case 'unbind':
      return x.unbind(a.dim);
    case 'flip':
      return x.flip(a.dims);
    case 'repeat':
      return x.repeat(a.repeats);
    case 'roll':
      return x.roll(a.shifts, a.dims);
    case 'tril':
      return x.tril(a.diagonal);
    case 'triu':
      return x.triu(a.diagonal);
    case 'flatten':
      return x.flatten(a.start, a.end);
    case 'unflatten':
      return x.unflatten(a.dim, a.sizes);
    case 'movedim':
      return x.movedim(a.src, a.dst);
  }
  throw new Error(`no such op ${op}`);
}

function expectResult(t: torch.Tensor, r: Result): void {
  expect(t.shape).toEqual(r.shape);
  expect(Array.from(t.dataSync())).toEqual(r.values);
}

describe('shape ops match PyTorch', () => {
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.args)} on ${c.inputs.map((s) => JSON.stringify(s.base)).join(', ')}`, () => {
      const out = apply(
        c.op,
        c.inputs.map((s) => makeInput(s)),
        c.args,
      );
      if (Array.isArray(out)) {
        const exp = c.expected as Result[];
        expect(out.length).toBe(exp.length);
        out.forEach((t, i) => {
          expectResult(t, exp[i]!);
        });
      } else expectResult(out, c.expected as Result);
    });
  }
});

describe('shape op gradients (float64 finite differences)', () => {
  it('cat and stack, with non-contiguous inputs and long lists', () => {
    const a = f64(2, 3);
    const b = torch.randn(3, 1, { dtype: 'float64' }).t().requiresGrad_();
    check((p, q) => torch.cat([p, q, p, q, q], 0), [a, b]);
    check((p, q) => torch.cat([p, q.expand(2, 3)], 1), [a, b]);
    check((p, q) => torch.stack([p, q.squeeze(0).expand(2, 3), p], 2), [a, b]);
    expect(torch.cat([a, b]).gradFn?.name).toBe('CatBackward0');
  });

  it('split, chunk and unbind pieces', () => {
    const x = f64(5, 4);
    check((p) => p.split(2).map((t, i) => t.mul(i + 1)), [x]);
    check((p) => p.t().split([1, 3, 1], 1), [x]);
    check((p) => p.chunk(3, 1), [x]);
    check((p) => p.unbind(1), [x]);
  });

  it('flip, repeat, roll, tril, triu', () => {
    const x = f64(3, 4);
    const xt = torch.randn(4, 3, { dtype: 'float64' }).t().requiresGrad_();
    for (const p of [x, xt]) {
      check((t) => t.flip(0, 1), [p]);
      check((t) => t.repeat(2, 1, 3), [p]);
      check((t) => t.roll([1, -2], [0, 1]), [p]);
      check((t) => t.roll(5), [p]);
      check((t) => t.tril(-1), [p]);
      check((t) => t.triu(1), [p]);
    }
  });

  it('flatten, unflatten, movedim and second derivatives', () => {
    const x = f64(2, 3, 4);
    check((t) => t.flatten(1), [x]);
    check((t) => t.permute(2, 0, 1).flatten(0, 1), [x]);
    check((t) => t.unflatten(2, [2, 2]), [x]);
    check((t) => t.movedim([0, 1], [2, 0]), [x]);
    const y = f64(3, 3);
    expect(
      torch.autograd.gradgradcheck(
        (t: torch.Tensor) => torch.cat([t.mul(t).tril(), t.flip(0).repeat(1, 2)], 1),
        [y],
      ),
    ).toBe(true);
  });
});

describe('shape op semantics', () => {
  it('split/chunk/unbind return views; cat/stack/flip/repeat copy', () => {
    const x = torch.arange(6).reshape(2, 3);
    for (const v of [...x.split(1), ...x.chunk(2, 1), ...x.unbind()]) {
      expect(v.storage).toBe(x.storage);
    }
    expect(x.movedim(0, 1).storage).toBe(x.storage);
    expect(x.flatten().storage).toBe(x.storage);
    for (const c of [torch.cat([x]), torch.stack([x]), x.flip(0), x.repeat(1, 1), x.roll(0, 0)]) {
      expect(c.storage).not.toBe(x.storage);
    }
  });

  it('promotes dtypes in cat and keeps int dtypes elsewhere', () => {
    const i = torch.tensor([1, 2], { dtype: 'int32' });
    expect(torch.cat([i, torch.tensor([0.5])]).dtype).toBe('float32');
    expect(torch.cat([i, i]).dtype).toBe('int32');
    expect(i.flip(0).tolist()).toEqual([2, 1]);
    expect(torch.tensor([true, false]).repeat(2).tolist()).toEqual([true, false, true, false]);
  });

  it('handles empty and 0-d inputs', () => {
    expect(torch.cat([torch.zeros(0, 3), torch.ones(2, 3)]).shape).toEqual([2, 3]);
    expect(
      torch
        .zeros(0)
        .chunk(3)
        .map((t) => t.shape),
    ).toEqual([[0], [0], [0]]);
    expect(torch.tensor(4).repeat(3).tolist()).toEqual([4, 4, 4]);
    expect(torch.tensor(4).flatten().shape).toEqual([1]);
    expect(torch.tensor(4).flip().tolist()).toBe(4);
    expect(torch.stack([torch.tensor(1), torch.tensor(2)]).tolist()).toEqual([1, 2]);
    expect(torch.hstack([torch.zeros(2), torch.ones(1)]).shape).toEqual([3]);
    expect(torch.vstack([torch.zeros(2), torch.ones(2)]).shape).toEqual([2, 2]);
  });

  it('throws PyTorch errors', () => {
    const x = torch.zeros(3, 4);
    expect(() => torch.cat([])).toThrow('torch.cat(): expected a non-empty list of Tensors');
    expect(() => torch.cat([x, torch.zeros(2, 3)])).toThrow(
      'Sizes of tensors must match except in dimension 0. Expected size 4 but got size 3 for tensor number 1 in the list.',
    );
    expect(() => torch.cat([x, torch.zeros(2)])).toThrow(
      'Tensors must have same number of dimensions: got 2 and 1',
    );
    expect(() => torch.cat([torch.tensor(1), torch.tensor(2)])).toThrow(
      'zero-dimensional tensor (at position 0) cannot be concatenated',
    );
    expect(() => torch.cat([x, x], 2)).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    );
    expect(() => torch.stack([x, torch.zeros(2, 4)])).toThrow(
      'stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [2, 4] at entry 1',
    );
    expect(() => torch.stack([])).toThrow('stack expects a non-empty TensorList');
    expect(() => x.split(0)).toThrow(
      'split_size can only be 0 if dimension size is 0, but got dimension size of 3',
    );
    expect(() => x.split([1, 1])).toThrow(
      "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]",
    );
    expect(() => x.chunk(0)).toThrow('chunk expects `chunks` to be greater than 0, got: 0');
    expect(() => x.repeat(2)).toThrow(
      'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor',
    );
    expect(() => x.flatten(1, 0)).toThrow(
      'flatten() has invalid args: start_dim cannot come after end_dim',
    );
    expect(() => x.unflatten(1, [3, 2])).toThrow(
      "unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 1 (4) in the input tensor",
    );
    expect(() => torch.tensor(1).tril()).toThrow(
      'tril: input tensor must have at least 2 dimensions',
    );
    expect(() => x.flip(0, 0)).toThrow('dim 0 appears multiple times in the list of dims');
    expect(() => x.movedim([0, 1], [0, 0])).toThrow(
      'movedim: repeated dim in `destination` ([0, 0])',
    );
    expect(() => x.unbind(2)).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    );
  });
});
