import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Call forms, dtypes, accuracy, printing and PyTorch's error messages of the reductions. */

const x23 = () =>
  torch.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

describe('call forms', () => {
  it('accepts (dim, keepdim) and ({ dim, keepdim }) alike', () => {
    const x = x23();
    for (const name of ['sum', 'mean', 'prod', 'amax', 'amin', 'logsumexp', 'norm'] as const) {
      const positional =
        name === 'norm' ? x.norm(2, 0, true) : (x[name] as torch.Tensor['sum'])(0, true);
      const options =
        name === 'norm'
          ? x.norm({ dim: 0, keepdim: true })
          : (x[name] as torch.Tensor['sum'])({ dim: 0, keepdim: true });
      expect(positional.shape, name).toEqual([1, 3]);
      expect(options.tolist(), name).toEqual(positional.tolist());
    }
    expect(x.sum([0, 1]).tolist()).toBe(21);
    expect(x.sum([-1, 0], true).shape).toEqual([1, 1]);
    expect(torch.sum(x, { dim: -1 }).tolist()).toEqual([6, 15]);
    expect(x.std(1, true, true).shape).toEqual([2, 1]);
    expect(x.var(false).item()).toBeCloseTo(35 / 12, 5);
    expect(x.var({ dim: 1, correction: 0 }).tolist()).toEqual([2 / 3, 2 / 3].map(Math.fround));
  });

  it('returns max/min along a dim as { values, indices } that also destructures', () => {
    const x = torch.tensor([
      [1, 7, 3],
      [9, 5, 6],
    ]);
    const [v, i] = x.max(1);
    expect(v!.tolist()).toEqual([7, 9]);
    expect(i!.tolist()).toEqual([1, 0]);
    expect(x.max(0).values.tolist()).toEqual([9, 7, 6]);
    const { values, indices } = torch.min(x, { dim: 1, keepdim: true });
    expect(values.tolist()).toEqual([[1], [5]]);
    expect(indices.tolist()).toEqual([[0], [1]]);
    expect(indices.dtype).toBe('int32');
    const r = x.min(0);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    expect(r.length).toBe(2);
    expect(String(r)).toContain('torch.return_types.min(');
    expect(x.max().shape).toEqual([]);
    expect(x.max().item()).toBe(9);
  });

  it('gives argmax/argmin int32 indices, flattened without a dim', () => {
    const x = torch.tensor([
      [1, 7, 3],
      [9, 5, 6],
    ]);
    expect(x.argmax().dtype).toBe('int32');
    expect(x.argmax().item()).toBe(3);
    expect(x.argmin(1).tolist()).toEqual([0, 1]);
    expect(x.argmax({ keepdim: true }).shape).toEqual([1, 1]);
    expect(torch.argmax(x, 0, true).tolist()).toEqual([[1, 0, 1]]);
  });

  it('gives bool all/any, int sums and products, float logsumexp of ints', () => {
    const b = torch.tensor([
      [1, 0],
      [2, 3],
    ]);
    expect(b.all().dtype).toBe('bool');
    expect(b.all().isNonzero()).toBe(false);
    expect(b.any(1).tolist()).toEqual([true, true]);
    expect(b.all({ dim: 1 }).tolist()).toEqual([false, true]);
    const ints = torch.tensor([1, 2, 3], { dtype: 'int32' });
    expect(ints.sum().dtype).toBe('int32');
    expect(ints.prod().item()).toBe(6);
    expect(ints.cumsum(0).dtype).toBe('int32');
    expect(torch.tensor([true, true]).sum().dtype).toBe('int32');
    expect(ints.logsumexp(0).dtype).toBe('float32');
    expect(ints.max().dtype).toBe('int32');
  });

  it('reduces 0-d tensors over dim 0 or -1', () => {
    const s = torch.tensor(2.5);
    expect(s.sum(0).shape).toEqual([]);
    expect(s.mean(-1, true).shape).toEqual([]);
    expect(s.cumsum(0).item()).toBe(2.5);
    const [v, i] = s.max(0);
    expect(v!.item()).toBe(2.5);
    expect(i!.item()).toBe(0);
    expect(() => s.sum(1)).toThrow(
      'Dimension out of range (expected to be in range of [-1, 0], but got 1)',
    );
  });
});

describe('accuracy', () => {
  it('sums float32 exactly where float64 is exact', () => {
    const x = torch.full([2, 5], 1.125);
    expect(x.sum().item()).toBe(11.25);
    expect(x.mean().item()).toBe(1.125);
    expect(x.std().item()).toBe(0);
    expect(x.var(1).tolist()).toEqual([0, 0]);
    expect(String(x.std())).toBe('tensor(0.)');
    const filled = torch.empty([2, 5]).fill_(1.125);
    expect(filled.sum().item()).toBe(11.25);
    expect(filled.mean().item()).toBe(1.125);
    expect(String(filled.std())).toBe('tensor(0.)');
  });

  it('accumulates long float32 sums in float64', () => {
    const x = torch.full([100000], 0.1);
    // float32(0.1) * 1e5, rounded once to float32.
    expect(x.sum().item()).toBe(Math.fround(Math.fround(0.1) * 100000));
    expect(x.cumsum(0).dataSync()[99999]).toBe(Math.fround(Math.fround(0.1) * 100000));
  });

  it('computes logsumexp without overflow', () => {
    const x = torch.tensor([1000, 1000], { dtype: 'float64' });
    expect(x.logsumexp(0).item()).toBeCloseTo(1000 + Math.log(2), 10);
  });

  it('agrees between contiguous and strided inputs for every reduction', () => {
    const base = torch.randn([4, 5, 6], { dtype: 'float64' });
    const strided = base.permute(2, 0, 1);
    const dense = strided.contiguous();
    const ops: [string, (t: torch.Tensor) => torch.Tensor][] = [
      ['sum', (t) => t.sum([0, 2])],
      ['mean', (t) => t.mean(1, true)],
      ['prod', (t) => t.prod(0)],
      ['std', (t) => t.std(2)],
      ['var', (t) => t.var([0, 1], false)],
      ['amax', (t) => t.amax(1)],
      ['max', (t) => t.max(2).indices],
      ['argmin', (t) => t.argmin(0)],
      ['norm', (t) => t.norm(3, [1, 2])],
      ['logsumexp', (t) => t.logsumexp(0)],
      ['cumsum', (t) => t.cumsum(1)],
      ['any', (t) => t.any(1)],
    ];
    for (const [name, f] of ops) {
      expect(Array.from(f(strided).dataSync()), name).toEqual(Array.from(f(dense).dataSync()));
    }
  });
});

describe('empty tensors', () => {
  it('uses the neutral element where there is one', () => {
    const e = torch.zeros([0, 3]);
    expect(e.sum().item()).toBe(0);
    expect(e.sum(0).tolist()).toEqual([0, 0, 0]);
    expect(e.sum(1).shape).toEqual([0]);
    expect(e.prod().item()).toBe(1);
    expect(e.mean().item()).toBeNaN();
    expect(e.norm().item()).toBe(0);
    expect(e.all().isNonzero()).toBe(true);
    expect(e.any().isNonzero()).toBe(false);
    expect(e.logsumexp(0).tolist()).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(e.amax(1).shape).toEqual([0]);
    expect(e.cumsum(0).shape).toEqual([0, 3]);
  });

  it("throws PyTorch's errors where there is none", () => {
    const e = torch.zeros([0, 3]);
    expect(() => e.max()).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(() => e.min()).toThrow('min(): Expected reduction dim to be specified');
    expect(() => e.amax()).toThrow('amax(): Expected reduction dim to be specified');
    expect(() => e.argmax()).toThrow(
      'argmax(): Expected reduction dim to be specified for input.numel() == 0.',
    );
    expect(() => e.max(0)).toThrow('max(): Expected reduction dim 0 to have non-zero size');
    expect(() => e.amin(0)).toThrow('amin(): Expected reduction dim 0 to have non-zero size');
    expect(() => e.argmin(0)).toThrow('argmin(): Expected reduction dim 0 to have non-zero size');
    expect(e.max(1).values.shape).toEqual([0]);
  });
});

describe('errors', () => {
  it('rejects dims out of range with the op name and range', () => {
    const x = torch.zeros([2, 3]);
    const msg = 'Dimension out of range (expected to be in range of [-2, 1], but got 2)';
    expect(() => x.sum(2)).toThrow(msg);
    expect(() => x.mean([0, 2])).toThrow(msg);
    expect(() => x.max(2)).toThrow(msg);
    expect(() => x.argmax(2)).toThrow(msg);
    expect(() => x.std(2)).toThrow(msg);
    expect(() => x.norm(2, 2)).toThrow(msg);
    expect(() => x.cumsum(2)).toThrow(msg);
    expect(() => x.logsumexp(-3)).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got -3)',
    );
    expect(() => x.sum(2)).toThrow(/^sum: /);
    expect(() => x.sum([0, 0])).toThrow('appears multiple times in the list of dims');
  });

  it("rejects dtypes PyTorch rejects, naming them PyTorch's way", () => {
    const ints = torch.tensor([1, 2], { dtype: 'int32' });
    expect(() => ints.mean()).toThrow(
      'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Int',
    );
    expect(() => torch.tensor([true]).mean()).toThrow('Got: Bool');
    expect(() => ints.std()).toThrow('std and var only support floating point and complex dtypes');
    expect(() => ints.var(0)).toThrow('std and var only support floating point and complex dtypes');
    expect(() => ints.norm()).toThrow(
      'norm(): input dtype should be either floating point or complex. Got Int instead.',
    );
  });

  it('checks the arguments of each call form', () => {
    const x = torch.zeros([2, 3]);
    expect(() => x.norm('nuc' as 'fro')).toThrow("p='nuc'");
    expect(() => x.norm('abc' as 'fro')).toThrow(
      "only valid string values are 'fro' and 'nuc', found abc",
    );
    expect(() => x.max([0, 1] as unknown as number)).toThrow('amax');
    expect(() => x.max(x as unknown as number)).toThrow('torch.maximum');
    expect(() => x.std({ unbiased: false, correction: 0 })).toThrow(
      "either 'unbiased' or 'correction'",
    );
    expect(() => (x.logsumexp as () => torch.Tensor)()).toThrow("missing required argument 'dim'");
    expect(() => (x.cumsum as () => torch.Tensor)()).toThrow("missing required argument 'dim'");
  });
});

describe('property: reductions of permuted views', () => {
  it('sum/mean/amax/std over any dims of any permuted view match the contiguous copy', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        (shape, permSeed, dimMask, keepdim) => {
          const n = shape.length;
          const perm = shape
            .map((_, i) => i)
            .sort((a, b) => ((a * 7 + permSeed) % 5) - ((b * 7 + permSeed) % 5));
          const base = torch.randn(shape, { dtype: 'float64' });
          const view = base.permute(perm);
          const dense = view.contiguous();
          const dims = view.shape.map((_, i) => i).filter((i) => (dimMask >> i) & 1);
          const d = dims.length ? dims : null;
          for (const f of [
            (t: torch.Tensor) => t.sum(d, keepdim),
            (t: torch.Tensor) => t.mean(d, keepdim),
            (t: torch.Tensor) => t.amax(d, keepdim),
            (t: torch.Tensor) => t.std({ dim: d, keepdim, correction: 0 }),
          ]) {
            const a = f(view);
            const b = f(dense);
            expect(a.shape).toEqual(b.shape);
            const av = a.dataSync();
            const bv = b.dataSync();
            for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i]!, 12);
          }
          expect(n).toBe(view.ndim);
        },
      ),
      { numRuns: 200 },
    );
  });
});
